// Every range and cross-key constraint of the configuration, on the typed Config.
// The messages name the broken constraint and the value found, so that an operator can fix the file at once.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "bokade/config/config.hpp"
#include "bokade/core/hsa_id.hpp"
#include "checks.hpp"
#include "sections.hpp"

namespace bokade::config::detail {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class Validator {
 public:
  explicit Validator(Errors& errors) : errors_(errors) {}

  void error(const std::string& path, std::string message) { errors_.add(path, std::move(message)); }

  template <class Int>
  void range(const std::string& path, Int value, std::uint64_t lo, std::uint64_t hi) {
    const auto v = static_cast<std::uint64_t>(value);
    if (v < lo || v > hi) error(path, fmt::format("must be between {} and {} (got {})", lo, hi, v));
  }
  void range(const std::string& path, double value, double lo, double hi, bool lo_inclusive = true) {
    const bool low_ok = lo_inclusive ? value >= lo : value > lo;
    if (!std::isfinite(value) || !low_ok || value > hi) {
      error(path, fmt::format("must be {} {} and at most {} (got {})", lo_inclusive ? "at least" : "greater than", lo,
                              hi, value));
    }
  }
  void range(const std::string& path, milliseconds value, milliseconds lo, milliseconds hi) {
    if (value < lo || value > hi) {
      error(path, fmt::format("must be between {} and {} (got {})", format_duration(lo), format_duration(hi),
                              format_duration(value)));
    }
  }
  void size_range(const std::string& path, std::uint64_t value, std::uint64_t lo, std::uint64_t hi) {
    if (value < lo || value > hi) {
      error(path,
            fmt::format("must be between {} and {} (got {})", format_size(lo), format_size(hi), format_size(value)));
    }
  }
  void hsa_id(const std::string& path, const std::string& value) {
    if (auto parsed = HsaId::parse(value); !parsed) {
      error(path, fmt::format("is not a valid HSA-id: {} (got \"{}\")", parsed.error().message, value));
    }
  }
  void hsa_ids(const std::string& path, const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) hsa_id(index_key(path, i), values[i]);
  }
  void url(const std::string& path, std::string_view value) {
    if (auto problem = url_problem(value)) error(path, *problem);
  }
  void file(const std::string& path, const std::string& value) {
    if (auto problem = unreadable_file(value)) error(path, *problem);
  }
  void required(const std::string& path, const std::string& value, std::string_view because) {
    if (value.empty()) error(path, fmt::format("is required {}", because));
  }

 private:
  Errors& errors_;
};

void check_server_tls(Validator& v, const std::string& listener, const ServerTls& tls) {
  const std::string p = join_key(listener, "tls");
  const std::string because = fmt::format("when {}.enabled = true", p);
  if (tls.enabled) {
    v.required(join_key(p, "certificate"), tls.certificate, because);
    v.required(join_key(p, "private_key"), tls.private_key, because);
    if (!tls.certificate.empty()) v.file(join_key(p, "certificate"), tls.certificate);
    if (!tls.private_key.empty()) v.file(join_key(p, "private_key"), tls.private_key);
    if (!tls.client_ca.empty()) v.file(join_key(p, "client_ca"), tls.client_ca);
  }
  if (!tls.allowed_consumers.empty()) {
    if (!tls.enabled) {
      v.error(join_key(p, "allowed_consumers"),
              fmt::format("needs {}.enabled = true: consumers are identified by their client certificate", p));
    } else if (tls.client_ca.empty()) {
      v.error(join_key(p, "allowed_consumers"),
              fmt::format("needs {}.client_ca: consumers are identified by their client certificate", p));
    }
    v.hsa_ids(join_key(p, "allowed_consumers"), tls.allowed_consumers);
  }
}

void check_listener_address(Validator& v, const std::string& listener, const std::string& address, bool tls) {
  const std::string p = join_key(listener, "address");
  if (auto problem = address_problem(address)) {
    v.error(p, *problem);
  } else if (!tls && !is_loopback(address)) {
    v.error(p, fmt::format("plain HTTP is allowed only on a loopback address (127.0.0.0/8 or ::1); bind to loopback "
                           "or set {}.tls.enabled = true (got \"{}\")",
                           listener, address));
  }
}

void check_listen(Validator& v, const Listen& listen) {
  const auto& q = listen.query;
  check_listener_address(v, "listen.query", q.address, q.tls.enabled);
  check_server_tls(v, "listen.query", q.tls);
  v.range("listen.query.max_connections", q.max_connections, 1, 1'000'000);
  v.range("listen.query.request_timeout", q.request_timeout, milliseconds(100), hours(1));
  v.size_range("listen.query.max_body", q.max_body, KiB, GiB);
  v.size_range("listen.query.max_header", q.max_header, KiB, MiB);
  const auto& a = listen.admin;
  check_listener_address(v, "listen.admin", a.address, a.tls.enabled);
  check_server_tls(v, "listen.admin", a.tls);
  if (q.port != 0 && q.port == a.port) {
    v.error("listen.admin.port", fmt::format("must differ from listen.query.port (both {})", q.port));
  }
}

void check_service(Validator& v, const Config& c) {
  v.hsa_id("identity.hsa_id", c.identity.hsa_id);
  v.hsa_id("identity.logical_address", c.identity.logical_address);

  v.required("storage.data_dir", c.storage.data_dir, "(the RocksDB directory)");
  v.size_range("storage.block_cache", c.storage.block_cache, MiB, 1024 * GiB);

  if (!c.logging.person_hash_key.empty() && c.logging.person_hash_key.size() < 16) {
    // Never echo the key itself: it is a secret.
    v.error("logging.person_hash_key", fmt::format("must be empty (a random key per start) or at least 16 characters "
                                                   "(got {} characters)",
                                                   c.logging.person_hash_key.size()));
  }

  const auto& ei = c.engagement_index;
  v.url("engagement_index.find_content_url", ei.find_content_url);
  v.hsa_id("engagement_index.logical_address", ei.logical_address);
  v.range("engagement_index.notification_max_transactions", ei.notification_max_transactions, 1, 100'000);
  v.range("engagement_index.poll_interval", ei.poll_interval, minutes(1), days(30));
  v.range("engagement_index.poll_jitter", ei.poll_jitter, 0.0, 1.0);
  v.range("engagement_index.max_calls_per_second", ei.max_calls_per_second, 0.0, 100'000.0, false);
  v.range("engagement_index.watch_expiry", ei.watch_expiry, hours(1), days(3650));

  const auto& vp = c.vp;
  v.url("vp.url", vp.url);
  v.range("vp.connect_timeout", vp.connect_timeout, milliseconds(10), minutes(1));
  v.range("vp.call_timeout", vp.call_timeout, milliseconds(100), minutes(10));
  v.range("vp.refresh_deadline", vp.refresh_deadline, milliseconds(100), hours(1));
  if (vp.refresh_deadline < vp.call_timeout) {
    v.error("vp.refresh_deadline", fmt::format("must be at least vp.call_timeout ({}) (got {})",
                                               format_duration(vp.call_timeout), format_duration(vp.refresh_deadline)));
  }
  v.range("vp.pool_size", vp.pool_size, 1, 10'000);
  if (!vp.tls.certificate.empty() || !vp.tls.private_key.empty()) {
    v.required("vp.tls.certificate", vp.tls.certificate, "when vp.tls.private_key is set");
    v.required("vp.tls.private_key", vp.tls.private_key, "when vp.tls.certificate is set");
  }
  if (!vp.tls.certificate.empty()) v.file("vp.tls.certificate", vp.tls.certificate);
  if (!vp.tls.private_key.empty()) v.file("vp.tls.private_key", vp.tls.private_key);
  if (!vp.tls.ca.empty()) v.file("vp.tls.ca", vp.tls.ca);

  const auto& tak = c.tak;
  if (tak.source.empty()) {
    v.error("tak.source", "is required: a file path or an http(s) URL of the TAK export");
  } else if (tak.source.find("://") != std::string::npos) {
    v.url("tak.source", tak.source);
  }
  v.range("tak.reload_interval", tak.reload_interval, seconds(10), days(7));
  v.range("tak.fetch_timeout", tak.fetch_timeout, seconds(1), minutes(10));

  const auto& r = c.refresh;
  v.range("refresh.max_concurrency", r.max_concurrency, 1, 10'000);
  v.range("refresh.retries", r.retries, 0, 10);
  v.range("refresh.backoff_initial", r.backoff_initial, milliseconds(1), minutes(1));
  v.range("refresh.backoff_max", r.backoff_max, milliseconds(1), hours(1));
  if (r.backoff_max < r.backoff_initial) {
    v.error("refresh.backoff_max", fmt::format("must be at least refresh.backoff_initial ({}) (got {})",
                                               format_duration(r.backoff_initial), format_duration(r.backoff_max)));
  }
  v.range("refresh.breaker_failures", r.breaker_failures, 1, 1000);
  v.range("refresh.breaker_open_for", r.breaker_open_for, seconds(1), hours(1));
  v.range("refresh.breaker_max_open_share", r.breaker_max_open_share, 0.0, 1.0);
  v.range("refresh.freshness", r.freshness, milliseconds(0), days(7));
  v.range("refresh.query_wait_max", r.query_wait_max, milliseconds(0), minutes(5));
  v.range("refresh.query_wait", r.query_wait, milliseconds(0), minutes(5));
  if (r.query_wait > r.query_wait_max) {
    v.error("refresh.query_wait", fmt::format("must be at most refresh.query_wait_max ({}) (got {})",
                                              format_duration(r.query_wait_max), format_duration(r.query_wait)));
  }

  v.range("refresh.view_cache_entries", r.view_cache_entries, 0, 1'000'000);
  v.range("refresh.view_cache_ttl", r.view_cache_ttl, milliseconds(0), minutes(10));

  v.range("retention.appointment_grace", c.retention.appointment_grace, milliseconds(0), days(30));
  v.range("retention.purge_interval", c.retention.purge_interval, minutes(1), days(1));
}

void check_limits(Validator& v, const std::string& path, const SourceLimits& limits) {
  v.range(join_key(path, "max_concurrency"), limits.max_concurrency, 1, 10'000);
  v.range(join_key(path, "rate_per_second"), limits.rate_per_second, 0.0, 100'000.0, false);
  v.range(join_key(path, "burst"), limits.burst, 1, 100'000);
}

// A name that becomes a metric label and a log field: printable, short, unique.
void check_name(Validator& v, const std::string& path, const std::string& name,
                std::map<std::string, std::string>& seen) {
  if (name.empty()) {
    v.error(path, "is required");
    return;
  }
  if (name.size() > 64) v.error(path, fmt::format("must be at most 64 characters (got {})", name.size()));
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < ' '; })) {
    v.error(path, "must not contain control characters");
  }
  const std::string key = normalise_hsa(name);  // case-insensitive (ASCII upper case)
  if (const auto [it, fresh] = seen.emplace(key, path); !fresh) {
    v.error(path, fmt::format("duplicates {} (\"{}\"); names must be unique", it->second, name));
  }
}

void check_domain(Validator& v, const Config& c) {
  check_limits(v, "booking_system_defaults", c.booking_system_defaults);

  std::map<std::string, std::string> names;
  std::map<std::string, std::string> source_owner;  // normalised sourceSystem → path of its first listing
  for (std::size_t i = 0; i < c.booking_systems.size(); ++i) {
    const auto& system = c.booking_systems[i];
    const std::string p = index_key("booking_systems", i);
    check_name(v, join_key(p, "name"), system.name, names);
    if (normalise_hsa(system.name) == "OTHER") {
      v.error(join_key(p, "name"), "\"other\" is reserved for clinics of no configured booking system");
    }
    const std::string sources = join_key(p, "source_systems");
    if (system.source_systems.empty()) {
      v.error(sources, "must list at least one EI sourceSystem HSA-id");
    }
    v.hsa_ids(sources, system.source_systems);
    for (std::size_t j = 0; j < system.source_systems.size(); ++j) {
      const std::string sp = index_key(sources, j);
      const auto [it, fresh] = source_owner.emplace(normalise_hsa(system.source_systems[j]), sp);
      if (!fresh) {
        v.error(sp, fmt::format("\"{}\" is already listed at {}; a sourceSystem belongs to one booking system",
                                system.source_systems[j], it->second));
      }
    }
    check_limits(v, p, system.limits);
  }

  std::map<std::string, std::string> region_names;
  std::map<std::string, std::string> prefixes;
  for (std::size_t i = 0; i < c.regions.size(); ++i) {
    const auto& region = c.regions[i];
    const std::string p = index_key("regions", i);
    check_name(v, join_key(p, "name"), region.name, region_names);
    if (auto problem = organisation_number_problem(region.organisation_number)) {
      v.error(join_key(p, "organisation_number"), *problem);
    }
    const std::string prefix_path = join_key(p, "hsa_prefix");
    if (region.hsa_prefix.empty()) {
      // parse_config() derives it from the organisation number; only a Config built in code can lack it.
      if (!organisation_number_problem(region.organisation_number)) v.error(prefix_path, "is required");
    } else {
      v.hsa_id(prefix_path, region.hsa_prefix);
      if (const auto [it, fresh] = prefixes.emplace(normalise_hsa(region.hsa_prefix), prefix_path); !fresh) {
        v.error(prefix_path, fmt::format("\"{}\" is already the prefix of {}", region.hsa_prefix, it->second));
      }
    }
  }
}

void check_rule_set(Validator& v, const std::string& p, const std::vector<std::string>* hidden,
                    const std::vector<std::string>* excluded, const std::optional<milliseconds>& cancel,
                    const std::optional<milliseconds>& rebook, const std::optional<milliseconds>& show) {
  if (hidden != nullptr) {
    for (std::size_t i = 0; i < hidden->size(); ++i) {
      if ((*hidden)[i].empty()) v.error(index_key(join_key(p, "hidden_time_types"), i), "must not be empty");
    }
  }
  if (excluded != nullptr) v.hsa_ids(join_key(p, "excluded_clinics"), *excluded);
  if (cancel) v.range(join_key(p, "cancel_cutoff"), *cancel, milliseconds(0), days(30));
  if (rebook) v.range(join_key(p, "rebook_cutoff"), *rebook, milliseconds(0), days(30));
  if (show) v.range(join_key(p, "show_after_start"), *show, milliseconds(0), days(7));
}

void check_rules(Validator& v, const Config& c) {
  const auto& d = c.rules.defaults;
  check_rule_set(v, "rules.default", &d.hidden_time_types, &d.excluded_clinics, d.cancel_cutoff, d.rebook_cutoff,
                 d.show_after_start);

  // The longest time an appointment stays visible must not outlast its retention.
  milliseconds longest_show = d.show_after_start;
  std::string longest_path = "rules.default.show_after_start";

  const auto check_overrides = [&](std::string_view kind, const std::vector<RuleOverride>& overrides, const auto& known,
                                   std::string_view known_table) {
    for (const auto& o : overrides) {
      const std::string p = join_key(join_key("rules", kind), o.target);
      const bool exists = std::any_of(known.begin(), known.end(),
                                      [&](const auto& k) { return normalise_hsa(k.name) == normalise_hsa(o.target); });
      if (!exists) {
        std::string names;
        for (const auto& k : known) names += (names.empty() ? "" : ", ") + fmt::format("\"{}\"", k.name);
        v.error(p, fmt::format("names no {} in [[{}]] (known: {})", kind == "region" ? "region" : "booking system",
                               known_table, names.empty() ? "none" : names));
      }
      check_rule_set(v, p, o.hidden_time_types ? &*o.hidden_time_types : nullptr,
                     o.excluded_clinics ? &*o.excluded_clinics : nullptr, o.cancel_cutoff, o.rebook_cutoff,
                     o.show_after_start);
      if (o.show_after_start && *o.show_after_start > longest_show) {
        longest_show = *o.show_after_start;
        longest_path = join_key(p, "show_after_start");
      }
    }
  };
  check_overrides("region", c.rules.regions, c.regions, "regions");
  check_overrides("booking_system", c.rules.booking_systems, c.booking_systems, "booking_systems");

  if (c.retention.appointment_grace < longest_show) {
    v.error("retention.appointment_grace",
            fmt::format("must be at least {} ({}), or appointments are purged while still shown (got {})", longest_path,
                        format_duration(longest_show), format_duration(c.retention.appointment_grace)));
  }
}

}  // namespace

void validate_into(const Config& config, Errors& errors) {
  Validator v(errors);
  check_listen(v, config.listen);
  check_service(v, config);
  check_domain(v, config);
  check_rules(v, config);
}

}  // namespace bokade::config::detail
