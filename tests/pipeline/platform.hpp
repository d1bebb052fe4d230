#pragma once
// Test support for the end-to-end tests: bokade-sim playing the national platform (EI push, VP, TAK,
// booking systems) and a bokaded that follows it, both real processes on loopback, with helpers to read
// what the daemon stored and what reached the simulator.

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "daemon_support.hpp"
#include "http_client.hpp"
#include "process.hpp"

namespace bokade::test {
namespace json = boost::json;
using namespace std::chrono_literals;


inline json::value get_json(const std::string& address, const std::string& target) {
  auto r = http_get(address, target);
  REQUIRE_MESSAGE(r.status == 200, target << ": " << r.status << " " << r.error << r.body);
  return json::parse(r.body);
}

inline json::value send_json(const std::string& address, const std::string& method, const std::string& target,
                      const std::string& body) {
  auto r = http_request(address, method, target, body, {{"Content-Type", "application/json"}});
  REQUIRE_MESSAGE((r.status >= 200 && r.status < 300), method << " " << target << ": " << r.status << " " << r.body);
  return r.body.empty() ? json::value() : json::parse(r.body);
}

struct BookingSystemLimits {
  std::string system;
  int max_concurrency = 32;
  double rate = 500;
  int burst = 500;
};

// Everything in `log` that reads as a personnummer (12 digits, YYYYMMDD-NNNC or YYMMDD-NNNC with a valid
// Luhn checksum), correlation ids left out (random hex may hold a run of digits).
inline std::vector<std::string> personnummer_in(const std::string& log) {
  const auto text = std::regex_replace(log, std::regex(R"("[a-z_]*correlation_id":"[^"]*")"), "");
  static const std::regex candidate(R"((?:^|[^0-9A-Za-z])(\d{8}-?\d{4}|\d{6}[-+]\d{4})(?![0-9]))");
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), candidate); it != std::sregex_iterator(); ++it) {
    std::string digits;
    for (char c : (*it)[1].str()) {
      if (c >= '0' && c <= '9') digits += c;
    }
    const auto ten = digits.substr(digits.size() - 10);
    int sum = 0;
    for (std::size_t i = 0; i < 10; ++i) {
      int d = (ten[i] - '0') * (i % 2 == 0 ? 2 : 1);
      sum += d > 9 ? d - 9 : d;
    }
    if (sum % 10 == 0) found.push_back((*it)[1]);
  }
  return found;
}

struct Platform;
// Which booking systems the daemon's configuration names (with limits), chosen once the world is known.
using SystemChooser = std::function<std::vector<BookingSystemLimits>(const Platform&)>;

struct PlatformOptions {
  int persons = 400;
  std::vector<std::string> sim_args;
  bool configure_world = false;  // name every region and booking system of the world in the daemon's config
  bool write_relations = false;  // the simulator writes the legacy relations to relations_file()
  std::string extra_config;      // TOML appended to the daemon's configuration
  int seed = 7;                  // of the simulated world
};

// bokade-sim and a bokaded that follows it.
struct Platform {
  explicit Platform(const SystemChooser& choose = {}, const PlatformOptions& options = {}) : query_port(free_port()) {
    const auto subscriber = fmt::format(
        "http://127.0.0.1:{}/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21", query_port);
    std::vector<std::string> sim_argv{BOKADE_SIM_PATH, "--listen", "127.0.0.1:0", "--ready-file",
                                      (dir.path() / "sim.ready").string(), "--persons", std::to_string(options.persons),
                                      "--seed", std::to_string(options.seed), "--subscriber", subscriber, "--ei-redeliver-delay", "300ms",
                                      "--ei-rate", "20", "--vp-timeout", "1s", "--log-level", "warn"};
    sim_argv.insert(sim_argv.end(), options.sim_args.begin(), options.sim_args.end());
    if (options.write_relations) {
      sim_argv.push_back("--write-relations");
      sim_argv.push_back(relations_file().string());
    }
    sim = std::make_unique<Process>(sim_argv, dir.path() / "sim.log");
    REQUIRE_MESSAGE(wait_for_file(dir.path() / "sim.ready", 20s), read_file(dir.path() / "sim.log"));
    sim_address = json_field(read_file(dir.path() / "sim.ready"), "address");
    world = get_json(sim_address, "/control/world");
    auto systems = choose ? choose(*this) : std::vector<BookingSystemLimits>{};
    std::string world_config;
    if (options.configure_world) {
      for (const auto& r : world.at("regions").as_array()) {
        world_config += fmt::format("\n[[regions]]\nname = \"{}\"\norganisation_number = \"{}\"\nhsa_prefix = \"{}\"\n",
                                    json::value_to<std::string>(r.at("name")),
                                    json::value_to<std::string>(r.at("organisation_number")),
                                    json::value_to<std::string>(r.at("hsa_prefix")));
      }
      // The world's confidential clinics (youth clinics and the like) are what an operator excludes.
      std::string excluded;
      for (const auto& c : world.at("clinics").as_array()) {
        if (c.at("confidential").as_bool()) excluded += fmt::format("{}\"{}\"", excluded.empty() ? "" : ", ",
                                                                     json::value_to<std::string>(c.at("hsa_id")));
      }
      world_config += fmt::format("\n[rules.default]\nexcluded_clinics = [{}]\n", excluded);
      for (const auto& sys : world.at("systems").as_array()) {
        systems.push_back({json::value_to<std::string>(sys.at("id")), 64, 10000, 10000});
      }
    }

    std::string cfg = fmt::format(R"(
[listen.query]
address = "127.0.0.1"
port = {}
[listen.admin]
address = "127.0.0.1"
port = 0
[storage]
data_dir = "{}"
block_cache = "8MiB"
[vp]
url = "http://{}/vp"
call_timeout = "3s"
refresh_deadline = "6s"
[engagement_index]
find_content_url = "http://{}/vp/itintegration/engagementindex/FindContent/1/rivtabp21"
[tak]
source = "http://{}/tak/export.json"
reload_interval = "1m"
[refresh]
retries = 1
backoff_initial = "50ms"
breaker_failures = 3
breaker_open_for = "1s"
)",
                                  query_port, (dir.path() / "data").string(), sim_address, sim_address, sim_address);
    for (const auto& s : systems) {
      cfg += fmt::format(
          "\n[[booking_systems]]\nname = \"{}\"\nsource_systems = [\"{}\"]\nmax_concurrency = {}\n"
          "rate_per_second = {}\nburst = {}\n",
          s.system, s.system, s.max_concurrency, s.rate, s.burst);
    }
    daemon = std::make_unique<Daemon>(dir.path(), cfg + world_config + options.extra_config);
    REQUIRE_MESSAGE(daemon->wait_ready(), daemon->log());
    REQUIRE_MESSAGE(
        eventually([&] { return http_get(daemon->admin, "/admin/sources").body.find("\"tak\"") != std::string::npos; },
                   10s),
        daemon->log());
  }

  // No line of the daemon's log, in any test, holds a personnummer.
  ~Platform() {
    if (!daemon) return;
    const auto found = personnummer_in(daemon->log());
    CHECK_MESSAGE(found.empty(), "the daemon's log holds personnummer, e.g. " << (found.empty() ? "" : found.front()));
  }
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // Granted clinics without sub-units, grouped by booking system.
  std::map<std::string, std::vector<std::string>> granted_clinics() const {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& c : world.at("clinics").as_array()) {
      const auto& o = c.as_object();
      if (o.at("tak").as_string() == "granted" && o.at("care_unit").is_null()) {
        out[json::value_to<std::string>(o.at("system"))].push_back(json::value_to<std::string>(o.at("hsa_id")));
      }
    }
    return out;
  }

  // The TAK state the world gives each clinic: granted, missing, expired or not_yet_valid.
  std::map<std::string, std::string> tak_states() const {
    std::map<std::string, std::string> out;
    for (const auto& c : world.at("clinics").as_array()) {
      out[json::value_to<std::string>(c.at("hsa_id"))] = json::value_to<std::string>(c.at("tak"));
    }
    return out;
  }

  std::string clinic_with_tak(std::string_view state) const {
    // A care unit itself (no parent), so its bookings are indexed at its own address.
    for (const auto& c : world.at("clinics").as_array()) {
      if (c.at("tak").as_string() == state && c.at("care_unit").is_null())
        return json::value_to<std::string>(c.at("hsa_id"));
    }
    return {};
  }

  std::vector<std::string> persons(int n) const {
    auto list = get_json(sim_address, fmt::format("/control/persons?limit={}", n));
    std::vector<std::string> out;
    for (const auto& p : list.at("persons").as_array()) out.push_back(json::value_to<std::string>(p.at("id")));
    return out;
  }

  // Books an indexed appointment; returns (bookingId, engagement logical address).
  std::pair<std::string, std::string> book(const std::string& person, const std::string& clinic,
                                           const std::string& start = "20270115101500") {
    auto r = send_json(sim_address, "POST", "/control/persons/" + person + "/bookings",
                       fmt::format(R"({{"clinic":"{}","start":"{}","minutes":30,"indexed":true}})", clinic, start));
    return {json::value_to<std::string>(r.at("booking_id")),
            json::value_to<std::string>(r.at("engagement_logical_address"))};
  }

  // The daemon's slice of `person` at `address`, or null.
  json::value slice(const std::string& person, const std::string& address) const {
    auto view = http_get(daemon->admin, "/admin/persons/" + person);
    if (view.status != 200) return nullptr;
    auto v = json::parse(view.body);
    for (const auto& s : v.at("slices").as_array()) {
      if (s.at("logicalAddress").as_string() == address) return s;
    }
    return nullptr;
  }

  static bool has_booking(const json::value& slice, const std::string& booking, std::string* start = nullptr) {
    if (slice.is_null()) return false;
    for (const auto& a : slice.at("appointments").as_array()) {
      if (a.at("bookingId").as_string() == booking) {
        if (start) *start = json::value_to<std::string>(a.at("start"));
        return true;
      }
    }
    return false;
  }

  // Calls that reached the VP for `address` (each is counted again when VP forwards it to the producer).
  std::int64_t vp_calls_to(const std::string& address) const {
    return get_json(sim_address, "/control/calls/" + address).at("vp").as_int64();
  }

  // Every call the simulator saw for `address`, at VP or at the producer's own listener.
  std::int64_t calls_to(const std::string& address) const {
    auto c = get_json(sim_address, "/control/calls/" + address);
    return c.at("vp").as_int64() + c.at("producer").as_int64();
  }

  void set_mode(const std::string& system, const std::string& mode) {
    send_json(sim_address, "PUT", "/control/systems/" + system, fmt::format(R"({{"mode":"{}"}})", mode));
  }

  void refresh(const std::string& person) {
    auto r = http_request(daemon->admin, "POST", "/admin/persons/" + person + "/refresh");
    REQUIRE(r.status == 202);
  }

  [[nodiscard]] std::filesystem::path relations_file() const { return dir.path() / "relations.csv"; }

  TempDir dir;
  std::uint16_t query_port;
  std::unique_ptr<Process> sim;
  std::string sim_address;
  json::value world;
  std::unique_ptr<Daemon> daemon;
};

inline std::string status_of(const json::value& slice) { return json::value_to<std::string>(slice.at("status")); }
inline std::string outcome_of(const json::value& slice) { return json::value_to<std::string>(slice.at("lastOutcome")); }

}  // namespace bokade::test
