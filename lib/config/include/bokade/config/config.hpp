#pragma once
// The typed configuration of bokaded (docs/configuration.md is the reference for every key).
//
// Every field has its default here; config/bokaded.toml restates them with comments. parse_config() starts
// from Config{} and overwrites what the file sets, so a key left out keeps its default. toml++ stays out of
// this header on purpose (it is heavy); only the parser's translation units include it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/config/config_error.hpp"
#include "bokade/config/units.hpp"
#include "bokade/core/expected.hpp"

namespace bokade::config {

using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// Who we are on the national platform.
struct Identity {
  std::string hsa_id = "SE5565594230-BOKADE";  // our consumer HSA-id: what TAK must grant (anropsbehörighet)
  std::string logical_address = "5565594230";  // the logical address our SOAP endpoint answers to
  bool operator==(const Identity&) const = default;
};

// TLS on a listener. allowed_consumers holds HSA-ids matched against the client certificate subject's
// serialNumber; an empty list with client_ca set accepts every certificate that client_ca signed.
struct ServerTls {
  bool enabled = false;
  std::string certificate;  // PEM chain
  std::string private_key;  // PEM; never printed
  std::string client_ca;    // PEM bundle; set = client certificates are required and verified
  std::vector<std::string> allowed_consumers;
  bool operator==(const ServerTls&) const = default;
};

struct QueryListener {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port (tests)
  ServerTls tls;
  std::uint32_t max_connections = 1024;
  Duration request_timeout = 30s;  // a whole request must arrive within this (slow clients)
  std::uint64_t max_body = 1 * MiB;
  std::uint64_t max_header = 16 * KiB;
  bool operator==(const QueryListener&) const = default;
};

// /healthz, /readyz, /metrics and the operator endpoints.
struct AdminListener {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8081;
  ServerTls tls;
  bool operator==(const AdminListener&) const = default;
};

struct Listen {
  QueryListener query;
  AdminListener admin;
  bool operator==(const Listen&) const = default;
};

struct Storage {
  std::string data_dir = "/tmp/bokade-data";
  std::uint64_t block_cache = 256 * MiB;
  bool sync_writes = true;  // fsync the WAL before a ProcessNotification is acknowledged
  bool operator==(const Storage&) const = default;
};

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };
std::string_view to_string(LogLevel level);

struct Logging {
  LogLevel level = LogLevel::info;
  std::string person_hash_key;  // empty = a random key per start (hashes do not correlate across restarts)
  bool operator==(const Logging&) const = default;
};

struct EngagementIndex {
  std::string find_content_url = "http://127.0.0.1:9090/vp/itintegration/engagementindex/FindContent/1/rivtabp21";
  std::string logical_address = "5565594230";
  std::uint32_t notification_max_transactions = 2000;  // the contract says 1000; the real index sends 1001
  Duration poll_interval = 6h;
  double poll_jitter = 0.1;  // share of poll_interval, 0..1
  double max_calls_per_second = 20.0;
  Duration watch_expiry = std::chrono::days(30);
  bool operator==(const EngagementIndex&) const = default;
};

struct ClientTls {
  std::string certificate;  // our client certificate (PEM), empty = none
  std::string private_key;  // never printed
  std::string ca;           // trust anchors for the server, empty = system store
  bool operator==(const ClientTls&) const = default;
};

struct Vp {
  std::string url = "http://127.0.0.1:9090/vp";  // service paths are appended, e.g. /crm/scheduling/...
  bool direct_routing = false;  // true = call the producer endpoint from the TAK routing, not the VP url
  Duration connect_timeout = 2s;
  Duration call_timeout = 10s;
  Duration refresh_deadline = 15s;  // one whole refresh of one person, retries included
  std::uint32_t pool_size = 64;     // keep-alive connections kept per host
  ClientTls tls;
  bool operator==(const Vp&) const = default;
};

struct Tak {
  std::string source = "http://127.0.0.1:9090/tak/export.json";  // a file path or an http(s) URL
  Duration reload_interval = 10min;
  Duration fetch_timeout = 30s;
  std::string cache_file;  // empty = <storage.data_dir>/tak-snapshot.json
  bool operator==(const Tak&) const = default;
};

struct Refresh {
  std::uint32_t max_concurrency = 256;
  std::uint32_t retries = 2;
  Duration backoff_initial = 100ms;
  Duration backoff_max = 2s;
  std::uint32_t breaker_failures = 5;
  Duration breaker_open_for = 30s;
  double breaker_max_open_share = 0.5;
  Duration freshness = 5min;  // default maxAge
  Duration query_wait = 2s;   // default wait
  Duration query_wait_max = 10s;
  // Rendered answers of queries that needed no refresh, kept per person and format (0 = none kept), each
  // for at most view_cache_ttl and only while the person's stored rows and the config stay the same.
  std::uint32_t view_cache_entries = 4096;
  Duration view_cache_ttl = 30s;
  bool operator==(const Refresh&) const = default;
};

struct SourceLimits {
  std::uint32_t max_concurrency = 32;
  double rate_per_second = 50.0;
  std::uint32_t burst = 50;
  bool operator==(const SourceLimits&) const = default;
};

// A booking system is recognised by the EI sourceSystem HSA-ids of its engagements.
struct BookingSystem {
  std::string name;
  std::vector<std::string> source_systems;
  SourceLimits limits;  // keys left out take booking_system_defaults
  bool operator==(const BookingSystem&) const = default;
};

// A region is recognised by the HSA-id prefix of a clinic's logical address.
struct Region {
  std::string name;
  std::string organisation_number;  // 10 digits
  std::string hsa_prefix;           // defaults to "SE" + organisation_number
  bool operator==(const Region&) const = default;
};

struct RuleSet {
  std::vector<std::string> hidden_time_types{"Administration", "Dölj i 1177"};  // ids or names
  std::vector<std::string> excluded_clinics;                                    // HSA-ids
  Duration cancel_cutoff = 0s;
  Duration rebook_cutoff = 0s;
  Duration show_after_start = 2h;
  bool operator==(const RuleSet&) const = default;
};

// An override for one region or booking system; a field left out inherits.
struct RuleOverride {
  std::string target;  // region or booking-system name
  std::optional<std::vector<std::string>> hidden_time_types;
  std::optional<std::vector<std::string>> excluded_clinics;
  std::optional<Duration> cancel_cutoff;
  std::optional<Duration> rebook_cutoff;
  std::optional<Duration> show_after_start;
  bool operator==(const RuleOverride&) const = default;
};

struct Rules {
  RuleSet defaults;
  std::vector<RuleOverride> regions;
  std::vector<RuleOverride> booking_systems;
  bool operator==(const Rules&) const = default;
};

struct Retention {
  Duration appointment_grace = 2h;  // purge an appointment this long after its start
  Duration purge_interval = 10min;
  bool operator==(const Retention&) const = default;
};

struct Config {
  Identity identity;
  Listen listen;
  Storage storage;
  Logging logging;
  EngagementIndex engagement_index;
  Vp vp;
  Tak tak;
  Refresh refresh;
  SourceLimits booking_system_defaults;
  std::vector<BookingSystem> booking_systems;
  std::vector<Region> regions;
  Rules rules;
  Retention retention;
  bool operator==(const Config&) const = default;
};

using ConfigResult = Expected<Config, std::vector<ConfigError>>;

// Parses and validates; collects every error. source_name prefixes the messages (e.g. "bokaded.toml").
ConfigResult parse_config(std::string_view toml_text, std::string_view source_name);

// Reads the file (a missing or unreadable file is one error saying why), then parse_config().
ConfigResult load_config(const std::filesystem::path& path);

// The constraints on a typed Config, also for one built in code. parse_config() applies them already.
std::vector<ConfigError> validate(const Config& config);

// The content of config/bokaded.toml, built into the library; used when bokaded runs without --config.
std::string_view default_config_toml();

// Key paths whose change a SIGHUP reload cannot apply (listeners, storage, identity, …): the daemon logs
// them and keeps the old values for exactly these keys.
std::vector<std::string> keys_needing_restart(const Config& old_config, const Config& next_config);

// Copies into `next` the old values of every key keys_needing_restart() names, so a reload applies the rest.
Config keep_restart_keys(const Config& old_config, Config next_config);

// A short multi-line summary for the start-up log; never prints private keys or the person hash key.
std::string describe(const Config& config);

// The effective rules for a clinic of `region` served by `booking_system` (either may be empty):
// lists are the union of default, region and booking-system entries; durations come from the region
// override if set, else from the booking-system override, else from the defaults.
RuleSet resolve_rules(const Rules& rules, std::string_view region, std::string_view booking_system);

// The region whose hsa_prefix starts `logical_address` (case-insensitive, longest prefix), or nullptr.
const Region* region_of(const Config& config, std::string_view logical_address);

// The booking system that lists `source_system` (case-insensitive), or nullptr.
const BookingSystem* booking_system_of(const Config& config, std::string_view source_system);

}  // namespace bokade::config
