#include "bokade/core/text.hpp"
#include "bokade/coverage/coverage.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "bokade/core/hsa_id.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::coverage {
namespace {


}  // namespace

Counts& Counts::operator+=(const Counts& o) {
  appointments += o.appointments;
  ei_path += o.ei_path;
  relation_path += o.relation_path;
  both += o.both;
  indexed += o.indexed;
  relation_and_indexed += o.relation_and_indexed;
  return *this;
}

Expected<Report> compute(const store::Store& store, const config::Config& config) {
  const auto started = std::chrono::steady_clock::now();
  Report report;
  report.computed_at = std::chrono::system_clock::now();

  // Which booking system serves an address: learned from every engagement's sourceSystem there.
  std::unordered_map<std::string, std::string> system_of_address;
  auto st = store.for_each(store::Column::engagements, {}, [&](std::string_view k, std::string_view v) {
    auto key = store::engagement_key_fields(k);
    auto rec = store::decode_engagement_record(v);
    if (!key || !rec || rec->deleted) return true;
    auto address = normalise_hsa(key->logical_address);
    if (system_of_address.contains(address)) return true;
    const auto* b = config::booking_system_of(config, key->source_system);
    system_of_address.emplace(std::move(address), b ? b->name : std::string(other_label));
    return true;
  });
  if (!st) return Unexpected<Error>{st.error()};

  auto region_name = [&](std::string_view address) {
    const auto* r = config::region_of(config, address);
    return r ? r->name : std::string(other_label);
  };
  auto system_name = [&](const std::string& address) {
    auto it = system_of_address.find(address);
    return it != system_of_address.end() ? it->second : std::string(other_label);
  };

  std::map<std::string, ClinicGap> gaps;
  // One person at a time: the slices are in person order.
  std::string current;
  struct Seen {
    bool ei = false, relation = false, indexed = false;
    std::string address;  // an address that returned it (the first)
  };
  std::map<std::string, Seen> appointments;  // identity → how it was found
  std::set<std::string> ei_addresses, relation_addresses;
  std::set<std::pair<std::string, std::string>> indexed_at;  // (address, bookingId)

  auto flush = [&] {
    for (const auto& [identity, seen] : appointments) {
      Counts c;
      c.appointments = 1;
      c.ei_path = seen.ei;
      c.relation_path = seen.relation;
      c.both = seen.ei && seen.relation;
      c.indexed = seen.indexed;
      c.relation_and_indexed = seen.relation && seen.indexed;
      const auto region = region_name(seen.address);
      const auto system = system_name(seen.address);
      report.national += c;
      report.regions[region] += c;
      report.booking_systems[system] += c;
      report.cells[{region, system}] += c;
      if (seen.relation) {
        auto& g = gaps[seen.address];
        g.logical_address = seen.address;
        g.region = region;
        g.booking_system = system;
        ++g.relation_path;
        if (!seen.indexed) ++g.missing_in_ei;
      }
    }
    appointments.clear();
  };

  Status inner;
  st = store.for_each(store::Column::slices, {}, [&](std::string_view k, std::string_view v) {
    if (k.size() <= store::person_key_size) return true;
    const auto person_text = std::string(k.substr(0, store::person_key_size));
    if (person_text != current) {
      flush();
      current = person_text;
      ++report.persons;
      ei_addresses.clear();
      relation_addresses.clear();
      indexed_at.clear();
      auto person = PersonId::parse(person_text);
      if (!person) return true;
      auto engagements = ei::engagements_of(store, *person);
      if (!engagements) {
        inner = Unexpected<Error>{engagements.error()};
        return false;
      }
      for (const auto& e : *engagements) {
        auto address = normalise_hsa(e.key.logical_address);
        indexed_at.emplace(address, e.key.business_object_instance_identifier);
        ei_addresses.insert(std::move(address));
      }
      auto st2 = store.for_each(store::Column::relations, person_text, [&](std::string_view rk, std::string_view) {
        relation_addresses.emplace(store::logical_address_of(rk));
        return true;
      });
      if (!st2) {
        inner = st2;
        return false;
      }
    }
    const auto address = std::string(store::logical_address_of(k));
    auto slice = store::decode_slice(v);
    if (!slice) return true;
    const bool via_ei = ei_addresses.contains(address);
    const bool via_relation = relation_addresses.contains(address);
    for (const auto& a : slice->appointments) {
      auto identity = to_lower(a.healthcare_facility) + '\0' + a.booking_id;
      auto& seen = appointments[identity];
      if (seen.address.empty()) seen.address = address;
      seen.ei = seen.ei || via_ei;
      seen.relation = seen.relation || via_relation;
      seen.indexed = seen.indexed || indexed_at.contains({address, a.booking_id});
    }
    return true;
  });
  if (!st) return Unexpected<Error>{st.error()};
  if (!inner) return Unexpected<Error>{inner.error()};
  flush();

  for (auto& [address, gap] : gaps) {
    if (gap.missing_in_ei > 0) report.gaps.push_back(std::move(gap));
  }
  std::sort(report.gaps.begin(), report.gaps.end(), [](const ClinicGap& a, const ClinicGap& b) {
    if (a.missing_in_ei != b.missing_in_ei) return a.missing_in_ei > b.missing_in_ei;
    if (a.relation_path != b.relation_path) return a.relation_path > b.relation_path;
    return a.logical_address < b.logical_address;
  });
  report.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return report;
}

std::string to_json(const Report& report, std::size_t gap_limit) {
  namespace json = boost::json;
  auto counts = [](const Counts& c) {
    json::object o;
    o["appointments"] = c.appointments;
    o["ei_path"] = c.ei_path;
    o["relation_path"] = c.relation_path;
    o["both"] = c.both;
    o["relation_only"] = c.relation_only();
    o["ei_only"] = c.ei_only();
    o["indexed"] = c.indexed;
    o["relation_and_indexed"] = c.relation_and_indexed;
    o["coverage"] = c.coverage();
    return o;
  };
  json::object root;
  root["computedAt"] = format_iso_utc(std::chrono::floor<std::chrono::seconds>(report.computed_at));
  root["tookMs"] = report.took.count();
  root["persons"] = report.persons;
  root["national"] = counts(report.national);
  json::array regions, systems, gaps;
  for (const auto& [name, c] : report.regions) {
    auto o = counts(c);
    o["region"] = name;
    regions.push_back(std::move(o));
  }
  for (const auto& [name, c] : report.booking_systems) {
    auto o = counts(c);
    o["bookingSystem"] = name;
    systems.push_back(std::move(o));
  }
  for (std::size_t i = 0; i < report.gaps.size() && i < gap_limit; ++i) {
    const auto& g = report.gaps[i];
    json::object o;
    o["logicalAddress"] = g.logical_address;
    o["region"] = g.region;
    o["bookingSystem"] = g.booking_system;
    o["relationPath"] = g.relation_path;
    o["missingInEi"] = g.missing_in_ei;
    o["coverage"] = g.relation_path ? 1.0 - static_cast<double>(g.missing_in_ei) / static_cast<double>(g.relation_path) : 1.0;
    gaps.push_back(std::move(o));
  }
  root["regions"] = std::move(regions);
  root["bookingSystems"] = std::move(systems);
  root["gaps"] = std::move(gaps);
  root["gapsTotal"] = report.gaps.size();
  return json::serialize(root);
}

}  // namespace bokade::coverage
