// What the running daemon asks of its configuration: reload rules, a summary for the log, rule and
// region lookups.
#include <algorithm>

#include <fmt/format.h>

#include "bokade/config/config.hpp"
#include "bokade/core/hsa_id.hpp"

namespace bokade::config {
namespace {

// A key a SIGHUP reload cannot apply: its path and how to copy the old value over the new one.
struct RestartKey {
  std::string_view path;
  bool (*differs)(const Config&, const Config&);
  void (*keep)(const Config& old_config, Config& next_config);
};

#define BOKADE_RESTART_KEY(path, member)                                            \
  RestartKey {                                                                      \
    path, [](const Config& a, const Config& b) { return !(a.member == b.member); }, \
        [](const Config& a, Config& b) { b.member = a.member; }                     \
  }

// Sockets are bound, the database is open and TLS contexts are built once at start; identity and the
// person hash key are used by state that lives as long as the process. Everything else is reloadable.
const RestartKey restart_keys[] = {
    BOKADE_RESTART_KEY("identity.hsa_id", identity.hsa_id),
    BOKADE_RESTART_KEY("identity.logical_address", identity.logical_address),
    BOKADE_RESTART_KEY("listen.query.address", listen.query.address),
    BOKADE_RESTART_KEY("listen.query.port", listen.query.port),
    BOKADE_RESTART_KEY("listen.query.tls.enabled", listen.query.tls.enabled),
    BOKADE_RESTART_KEY("listen.query.tls.certificate", listen.query.tls.certificate),
    BOKADE_RESTART_KEY("listen.query.tls.private_key", listen.query.tls.private_key),
    BOKADE_RESTART_KEY("listen.query.tls.client_ca", listen.query.tls.client_ca),
    BOKADE_RESTART_KEY("listen.query.max_connections", listen.query.max_connections),
    // The listeners read these when they are built; only the consumer allowlists are swapped live.
    BOKADE_RESTART_KEY("listen.query.request_timeout", listen.query.request_timeout),
    BOKADE_RESTART_KEY("listen.query.max_body", listen.query.max_body),
    BOKADE_RESTART_KEY("listen.query.max_header", listen.query.max_header),
    BOKADE_RESTART_KEY("listen.admin.address", listen.admin.address),
    BOKADE_RESTART_KEY("listen.admin.port", listen.admin.port),
    BOKADE_RESTART_KEY("listen.admin.tls.enabled", listen.admin.tls.enabled),
    BOKADE_RESTART_KEY("listen.admin.tls.certificate", listen.admin.tls.certificate),
    BOKADE_RESTART_KEY("listen.admin.tls.private_key", listen.admin.tls.private_key),
    BOKADE_RESTART_KEY("listen.admin.tls.client_ca", listen.admin.tls.client_ca),
    BOKADE_RESTART_KEY("storage.data_dir", storage.data_dir),
    BOKADE_RESTART_KEY("storage.block_cache", storage.block_cache),
    BOKADE_RESTART_KEY("storage.sync_writes", storage.sync_writes),
    BOKADE_RESTART_KEY("logging.person_hash_key", logging.person_hash_key),
    BOKADE_RESTART_KEY("vp.connect_timeout", vp.connect_timeout),  // a setting of the client's pool
    BOKADE_RESTART_KEY("vp.pool_size", vp.pool_size),
    BOKADE_RESTART_KEY("vp.tls.certificate", vp.tls.certificate),
    BOKADE_RESTART_KEY("vp.tls.private_key", vp.tls.private_key),
    BOKADE_RESTART_KEY("vp.tls.ca", vp.tls.ca),
    BOKADE_RESTART_KEY("tak.cache_file", tak.cache_file),
    BOKADE_RESTART_KEY("refresh.max_concurrency", refresh.max_concurrency),
};
#undef BOKADE_RESTART_KEY

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string describe_listener(std::string_view name, const std::string& address, std::uint16_t port,
                              const ServerTls& tls) {
  std::string out = fmt::format("{} listener: {}:{} ", name,
                                address.find(':') == std::string::npos ? address : fmt::format("[{}]", address), port);
  if (!tls.enabled) return out + "(plain HTTP, loopback)";
  out += fmt::format("(TLS, certificate {}", tls.certificate);
  if (!tls.client_ca.empty()) {
    out += tls.allowed_consumers.empty() ? ", client certificates required"
                                         : fmt::format(", consumers allowed: {}", join(tls.allowed_consumers));
  }
  return out + ")";
}

bool same_name(std::string_view a, std::string_view b) { return normalise_hsa(a) == normalise_hsa(b); }

const RuleOverride* find_override(const std::vector<RuleOverride>& overrides, std::string_view target) {
  if (target.empty()) return nullptr;
  const auto it = std::find_if(overrides.begin(), overrides.end(),
                               [&](const RuleOverride& o) { return same_name(o.target, target); });
  return it == overrides.end() ? nullptr : &*it;
}

void append_unique(std::vector<std::string>& into, const std::vector<std::string>& items) {
  for (const auto& item : items) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

}  // namespace

std::vector<std::string> keys_needing_restart(const Config& old_config, const Config& next_config) {
  std::vector<std::string> keys;
  for (const auto& key : restart_keys) {
    if (key.differs(old_config, next_config)) keys.emplace_back(key.path);
  }
  return keys;
}

Config keep_restart_keys(const Config& old_config, Config next_config) {
  for (const auto& key : restart_keys) key.keep(old_config, next_config);
  return next_config;
}

std::string describe(const Config& c) {
  std::string out;
  out += fmt::format("identity: consumer {}, answers to logical address {}\n", c.identity.hsa_id,
                     c.identity.logical_address);
  out += describe_listener("query", c.listen.query.address, c.listen.query.port, c.listen.query.tls) + "\n";
  out += describe_listener("admin", c.listen.admin.address, c.listen.admin.port, c.listen.admin.tls) + "\n";
  out += fmt::format("storage: {} (block cache {}, {} writes)\n", c.storage.data_dir,
                     format_size(c.storage.block_cache), c.storage.sync_writes ? "synced" : "unsynced");
  out += fmt::format("logging: level {}, person hash key {}\n", to_string(c.logging.level),
                     c.logging.person_hash_key.empty() ? "random per start" : "set");
  out += fmt::format("engagement index: {} (poll every {}, at most {}/s)\n", c.engagement_index.find_content_url,
                     format_duration(c.engagement_index.poll_interval), c.engagement_index.max_calls_per_second);
  out += fmt::format("vp: {}{} (call timeout {}, client certificate {})\n", c.vp.url,
                     c.vp.direct_routing ? " with direct routing" : "", format_duration(c.vp.call_timeout),
                     c.vp.tls.certificate.empty() ? "none" : c.vp.tls.certificate);
  out += fmt::format("tak: {} (reload every {})\n", c.tak.source, format_duration(c.tak.reload_interval));
  out += fmt::format("refresh: {} concurrent, {} retries, breaker after {} failures, fresh for {}, wait {}\n",
                     c.refresh.max_concurrency, c.refresh.retries, c.refresh.breaker_failures,
                     format_duration(c.refresh.freshness), format_duration(c.refresh.query_wait));
  for (const auto& s : c.booking_systems) {
    out += fmt::format("booking system {}: {} source system(s), {} concurrent, {}/s burst {}\n", s.name,
                       s.source_systems.size(), s.limits.max_concurrency, s.limits.rate_per_second, s.limits.burst);
  }
  for (const auto& r : c.regions) out += fmt::format("region {}: {}\n", r.name, r.hsa_prefix);
  out += fmt::format("rules: {} region and {} booking-system override(s); appointments kept {} after start\n",
                     c.rules.regions.size(), c.rules.booking_systems.size(),
                     format_duration(c.retention.appointment_grace));
  return out;
}

RuleSet resolve_rules(const Rules& rules, std::string_view region, std::string_view booking_system) {
  RuleSet out = rules.defaults;
  const RuleOverride* by_region = find_override(rules.regions, region);
  const RuleOverride* by_system = find_override(rules.booking_systems, booking_system);
  for (const RuleOverride* o : {by_system, by_region}) {  // region last: its durations win
    if (o == nullptr) continue;
    if (o->hidden_time_types) append_unique(out.hidden_time_types, *o->hidden_time_types);
    if (o->excluded_clinics) append_unique(out.excluded_clinics, *o->excluded_clinics);
    if (o->cancel_cutoff) out.cancel_cutoff = *o->cancel_cutoff;
    if (o->rebook_cutoff) out.rebook_cutoff = *o->rebook_cutoff;
    if (o->show_after_start) out.show_after_start = *o->show_after_start;
  }
  return out;
}

const Region* region_of(const Config& config, std::string_view logical_address) {
  const std::string address = normalise_hsa(logical_address);
  const Region* best = nullptr;
  for (const auto& region : config.regions) {
    const std::string prefix = normalise_hsa(region.hsa_prefix);
    if (!prefix.empty() && address.starts_with(prefix) &&
        (best == nullptr || prefix.size() > best->hsa_prefix.size())) {
      best = &region;
    }
  }
  return best;
}

const BookingSystem* booking_system_of(const Config& config, std::string_view source_system) {
  for (const auto& system : config.booking_systems) {
    for (const auto& id : system.source_systems) {
      if (same_name(id, source_system)) return &system;
    }
  }
  return nullptr;
}

}  // namespace bokade::config
