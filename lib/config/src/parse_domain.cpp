// Readers for the domain tables: booking systems and their limits, regions, and the view rules.
#include "bokade/config/config.hpp"
#include "reader.hpp"
#include "sections.hpp"

namespace bokade::config::detail {
namespace {

void read_limits(TableReader& t, SourceLimits& out) {
  t.read_int("max_concurrency", out.max_concurrency);
  t.read("rate_per_second", out.rate_per_second);
  t.read_int("burst", out.burst);
}

// [[booking_systems]]: limits left out take booking_system_defaults, which is read first.
void read_booking_systems(TableReader& root, const SourceLimits& defaults, std::vector<BookingSystem>& out) {
  auto entries = root.table_array("booking_systems");
  if (!entries) return;
  out.clear();
  for (auto& t : *entries) {
    BookingSystem system;
    system.limits = defaults;
    t.read("name", system.name);
    t.read("source_systems", system.source_systems);
    read_limits(t, system.limits);
    t.finish();
    out.push_back(std::move(system));
  }
}

// [[regions]]: hsa_prefix left out is "SE" + organisation_number, the HSA-id prefix of a region's units.
void read_regions(TableReader& root, std::vector<Region>& out) {
  auto entries = root.table_array("regions");
  if (!entries) return;
  out.clear();
  for (auto& t : *entries) {
    Region region;
    t.read("name", region.name);
    t.read("organisation_number", region.organisation_number);
    if (!t.read("hsa_prefix", region.hsa_prefix) && !region.organisation_number.empty()) {
      region.hsa_prefix = "SE" + region.organisation_number;
    }
    t.finish();
    out.push_back(std::move(region));
  }
}

void read_rule_set(TableReader& t, RuleSet& out) {
  t.read("hidden_time_types", out.hidden_time_types);
  t.read("excluded_clinics", out.excluded_clinics);
  t.read_duration("cancel_cutoff", out.cancel_cutoff);
  t.read_duration("rebook_cutoff", out.rebook_cutoff);
  t.read_duration("show_after_start", out.show_after_start);
}

template <class T, class Read>
void read_optional(std::optional<T>& out, Read&& read) {
  T value{};
  if (read(value)) out = std::move(value);
}

void read_rule_override(TableReader& t, RuleOverride& out) {
  read_optional(out.hidden_time_types, [&](auto& v) { return t.read("hidden_time_types", v); });
  read_optional(out.excluded_clinics, [&](auto& v) { return t.read("excluded_clinics", v); });
  read_optional(out.cancel_cutoff, [&](auto& v) { return t.read_duration("cancel_cutoff", v); });
  read_optional(out.rebook_cutoff, [&](auto& v) { return t.read_duration("rebook_cutoff", v); });
  read_optional(out.show_after_start, [&](auto& v) { return t.read_duration("show_after_start", v); });
}

// [rules.region."Region Skåne"] and [rules.booking_system.Cosmic]: one table per name.
void read_overrides(TableReader& rules, std::string_view key, std::vector<RuleOverride>& out) {
  auto by_name = rules.sub_table(key);
  if (!by_name) return;
  out.clear();
  // Copy the names first: find() below marks them known while we iterate.
  std::vector<std::string> names;
  for (const auto& [name, node] : by_name->table()) names.emplace_back(name.str());
  for (const auto& name : names) {
    auto t = by_name->sub_table(name);
    if (!t) continue;
    RuleOverride rule;
    rule.target = name;
    read_rule_override(*t, rule);
    t->finish();
    out.push_back(std::move(rule));
  }
  by_name->finish();
}

void read_rules(TableReader& root, Rules& out) {
  auto t = root.sub_table("rules");
  if (!t) return;
  if (auto d = t->sub_table("default")) {
    read_rule_set(*d, out.defaults);
    d->finish();
  }
  read_overrides(*t, "region", out.regions);
  read_overrides(*t, "booking_system", out.booking_systems);
  t->finish();
}

}  // namespace

void read_domain_sections(TableReader& root, Config& config) {
  if (auto d = root.sub_table("booking_system_defaults")) {
    read_limits(*d, config.booking_system_defaults);
    d->finish();
  }
  read_booking_systems(root, config.booking_system_defaults, config.booking_systems);
  read_regions(root, config.regions);
  read_rules(root, config.rules);
}

}  // namespace bokade::config::detail
