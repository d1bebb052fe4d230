#include "bokade/view/person_view.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "bokade/core/hsa_id.hpp"
#include "bokade/core/text.hpp"
#include "text.hpp"

namespace bokade::view {
namespace {

using namespace std::chrono_literals;

SourceState state_of(const SourceInput& in) noexcept {
  const Outcome o = in.slice.status.last_outcome;
  if (o == Outcome::not_authorized || o == Outcome::no_route) return SourceState::NotAuthorized;
  switch (in.code) {
    case ProcessingStatusCode::DataFromSource: return SourceState::DataFromSource;
    case ProcessingStatusCode::DataFromCache: return SourceState::DataFromCache;
    case ProcessingStatusCode::DataFromCacheSynchFailed: return SourceState::DataFromCacheSynchFailed;
    case ProcessingStatusCode::NoDataSynchFailed: return SourceState::NoDataSynchFailed;
  }
  return SourceState::NoDataSynchFailed;
}

// Whose appointments are shown (see person_view.hpp, rule 1).
bool shows_appointments(SourceState s) noexcept {
  return s != SourceState::NotAuthorized && s != SourceState::NoDataSynchFailed;
}

bool answered(SourceState s) noexcept { return s == SourceState::DataFromSource || s == SourceState::DataFromCache; }

bool listed(const std::vector<std::string>& hsa_ids, std::string_view hsa_id) {
  return std::any_of(hsa_ids.begin(), hsa_ids.end(),
                     [&](const std::string& entry) { return iequals(detail::trim(entry), detail::trim(hsa_id)); });
}

// `hidden_folded`: the configured hidden time types through detail::fold_name(), empty ones left out.
bool hidden_time_type(const std::vector<std::string>& hidden_folded, const Appointment& a) {
  if (hidden_folded.empty()) return false;
  const std::string id = detail::fold_name(a.time_type_id);
  const std::string name = detail::fold_name(a.time_type_name);
  return std::any_of(hidden_folded.begin(), hidden_folded.end(),
                     [&](const std::string& e) { return e == id || e == name; });
}

// Copies into `into` what it lacks and `from` has. Flags are not filled: on the wire an absent flag and
// false are the same, so the winning copy's flags stand.
void fill_missing(Appointment& into, const Appointment& from) {
  if (!into.start) into.start = from.start;
  if (!into.end) into.end = from.end;
  for (auto member : {&Appointment::healthcare_facility_name, &Appointment::performer, &Appointment::performer_name,
                      &Appointment::subject_of_care, &Appointment::purpose, &Appointment::reason,
                      &Appointment::resource_name, &Appointment::resource_id, &Appointment::time_type_name,
                      &Appointment::time_type_id, &Appointment::care_type_name, &Appointment::care_type_id}) {
    if ((into.*member).empty()) into.*member = from.*member;
  }
}

// One input after the first pass: its state and what the appointments did with it.
struct Source {
  SourceInput* input = nullptr;
  std::string key;  // normalised logical address
  SourceState state = SourceState::NoDataSynchFailed;
  // normalise_hsa(trim(healthcare_facility)) of each of its appointments, in their order; only for a source
  // whose appointments are shown. Made once, so that every later comparison of HSA-ids is a plain ==.
  std::vector<std::string> clinic_keys;
  bool has_visible = false;   // a copy of a shown appointment came from it
  bool held_excluded = false;  // it answered with an appointment of an excluded clinic
};

struct Copy {
  std::size_t source;
  Appointment* appointment;
  const std::string* clinic_key;  // in sources[source].clinic_keys
};

// Whether copy a is preferred over copy b as the owner (person_view.hpp, rule 2). Sources are sorted by
// address, so the lower index is the lower address.
bool preferred(const std::vector<Source>& sources, const Copy& a, const Copy& b) {
  const auto& sa = sources[a.source];
  const auto& sb = sources[b.source];
  const bool own_a = sa.key == *a.clinic_key;
  const bool own_b = sb.key == *b.clinic_key;
  if (own_a != own_b) return own_a;
  const auto& la = sa.input->slice.status.last_success;
  const auto& lb = sb.input->slice.status.last_success;
  if (la != lb) return lb < la;  // std::optional orders nullopt first: absent is the oldest
  return a.source < b.source;
}

Action decide(bool system_allows, const std::optional<UtcTime>& start, std::chrono::milliseconds cutoff, UtcTime now,
              const std::string& owner) {
  Action a;
  a.logical_address = owner;
  if (!system_allows) {
    a.reason = "the booking system does not allow it";
  } else if (!start) {
    a.reason = "the appointment has no start time";
  } else if (now >= *start) {
    a.reason = "the appointment has started";
  } else if (now >= *start - cutoff) {
    a.reason = fmt::format("not within {} of the start", describe_cutoff(cutoff));
  } else {
    a.allowed = true;
  }
  return a;
}

// Clinic names by normalised HSA-id, from every appointment of the slices shown. A name the clinic's own
// slice gives wins over one a care unit gives for its sub-clinic, and the first in address order over later
// ones, so the choice does not depend on input order.
//
// A person has a handful of clinics, so a short list does better than a hash map.
class ClinicNames {
 public:
  explicit ClinicNames(const std::vector<Source>& sources) {
    for (const bool own_pass : {true, false}) {
      for (const auto& s : sources) {
        if (!shows_appointments(s.state)) continue;
        const auto& appointments = s.input->slice.appointments;
        for (std::size_t i = 0; i < appointments.size(); ++i) {
          const std::string_view name = detail::trim(appointments[i].healthcare_facility_name);
          if (name.empty()) continue;
          const std::string& key = s.clinic_keys[i];
          if ((key == s.key) != own_pass) continue;
          if (find(key) == nullptr) names_.emplace_back(&key, name);
        }
      }
    }
  }

  // The name known for the normalised HSA-id `key`, or empty.
  [[nodiscard]] std::string_view of(std::string_view key) const {
    const auto* name = find(key);
    return name != nullptr ? std::string_view(*name) : std::string_view();
  }

 private:
  [[nodiscard]] const std::string* find(std::string_view key) const {
    for (const auto& [k, name] : names_) {
      if (*k == key) return &name;
    }
    return nullptr;
  }
  // (key in a Source's clinic_keys, which outlive this; the name, a copy, because build_view moves the
  // winning copy of each booking out of its slice)
  std::vector<std::pair<const std::string*, std::string>> names_;
};

// The config's answers that build_view needs per appointment and per source, asked once per distinct
// address and per distinct (region, booking system) within one call. config::region_of and
// config::resolve_rules walk the config and copy strings on every call; within one view the same few
// addresses and rule sets come back again and again. Only this call's config is asked, so nothing outlives
// a reload.
class RuleLookup {
 public:
  struct Rules {
    config::RuleSet set;
    std::vector<std::string> hidden_folded;  // set.hidden_time_types through fold_name, empty ones left out
  };

  explicit RuleLookup(const config::Config& config) : config_(config) {}

  // config::region_of(config, address) for a normalised address.
  const config::Region* region_of(const std::string& address) {
    for (const auto& [a, region] : regions_) {
      if (a == address) return region;
    }
    const config::Region* region = config::region_of(config_, address);
    regions_.emplace_back(std::string(address), region);
    return region;
  }

  // config::resolve_rules(config.rules, region, booking_system).
  const Rules& rules(std::string_view region, std::string_view booking_system) {
    for (const auto& e : rules_) {
      if (e.region == region && e.booking_system == booking_system) return e.rules;
    }
    Entry& e = rules_.emplace_back();
    e.region = region;
    e.booking_system = booking_system;
    e.rules.set = config::resolve_rules(config_.rules, region, booking_system);
    for (const auto& entry : e.rules.set.hidden_time_types) {
      if (std::string folded = detail::fold_name(entry); !folded.empty()) e.rules.hidden_folded.push_back(std::move(folded));
    }
    return e.rules;
  }

 private:
  struct Entry {
    std::string region, booking_system;
    Rules rules;
  };
  const config::Config& config_;
  std::vector<std::pair<std::string, const config::Region*>> regions_;
  std::deque<Entry> rules_;  // a deque: the references rules() returns stay valid as it grows
};

// Lower-case hex of the first 16 bytes of SHA-256(identity): appointment_view_id().
std::string view_id_of_identity(std::string_view identity) {
  // Fetched once: EVP_sha256() would make OpenSSL 3 look the implementation up in its provider store on
  // every digest, and EVP_Digest() allocates a context each time; a view has one id per appointment.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (sha256 == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), identity.data(), identity.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
    // SHA-256 is built into every OpenSSL; this cannot fail short of memory exhaustion.
    throw std::runtime_error("SHA-256 is not available");
  }
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string hex(32, '\0');
  for (std::size_t i = 0; i < 16; ++i) {
    hex[2 * i] = hex_digits[digest[i] >> 4U];
    hex[2 * i + 1] = hex_digits[digest[i] & 0xFU];
  }
  return hex;
}

}  // namespace

std::string_view to_string(SourceState s) noexcept {
  switch (s) {
    case SourceState::DataFromSource: return "DataFromSource";
    case SourceState::DataFromCache: return "DataFromCache";
    case SourceState::DataFromCacheSynchFailed: return "DataFromCacheSynchFailed";
    case SourceState::NoDataSynchFailed: return "NoDataSynchFailed";
    case SourceState::NotAuthorized: return "NotAuthorized";
  }
  return "NoDataSynchFailed";
}

std::string appointment_view_id(const Appointment& a) { return view_id_of_identity(appointment_identity(a)); }

std::string describe_cutoff(std::chrono::milliseconds cutoff) {
  const auto ms = cutoff.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{} h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{} min", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  return fmt::format("{} ms", ms);
}

PersonView build_view(std::vector<SourceInput> inputs, const config::Config& config, UtcTime now) {
  PersonView view;
  view.generated = now;
  RuleLookup lookup(config);

  std::vector<Source> sources;
  sources.reserve(inputs.size());
  std::size_t copies_in_all = 0;
  for (auto& in : inputs) {
    Source& s = sources.emplace_back();
    s.input = &in;
    s.key = normalise_hsa(detail::trim(in.slice.status.logical_address));
    s.state = state_of(in);
    if (!shows_appointments(s.state)) continue;
    s.clinic_keys.reserve(in.slice.appointments.size());
    for (const auto& a : in.slice.appointments) s.clinic_keys.push_back(normalise_hsa(detail::trim(a.healthcare_facility)));
    copies_in_all += in.slice.appointments.size();
  }
  std::stable_sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return a.key < b.key; });

  // Every copy of every booking, grouped by identity.
  std::map<std::string, std::vector<Copy>> groups;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!shows_appointments(sources[i].state)) continue;
    auto& appointments = sources[i].input->slice.appointments;
    for (std::size_t k = 0; k < appointments.size(); ++k) {
      groups[appointment_identity(appointments[k])].push_back({i, &appointments[k], &sources[i].clinic_keys[k]});
    }
  }
  const ClinicNames names(sources);

  view.appointments.reserve(std::min(groups.size(), copies_in_all));
  for (auto& [identity, copies] : groups) {
    std::stable_sort(copies.begin(), copies.end(),
                     [&](const Copy& a, const Copy& b) { return preferred(sources, a, b); });
    const Source& owner = sources[copies.front().source];
    const std::string& clinic_key = *copies.front().clinic_key;  // of merged.healthcare_facility
    // The winning copy is read by nothing after this (the clinic names are taken already), so it moves.
    Appointment merged = std::move(*copies.front().appointment);
    for (std::size_t k = 1; k < copies.size(); ++k) fill_missing(merged, *copies[k].appointment);

    const config::Region* region = lookup.region_of(clinic_key);
    if (region == nullptr) region = lookup.region_of(owner.key);
    const std::string_view region_name = region != nullptr ? std::string_view(region->name) : std::string_view();
    const std::string& booking_system = owner.input->booking_system;
    const RuleLookup::Rules& resolved = lookup.rules(region_name, booking_system);
    const config::RuleSet& rules = resolved.set;

    const bool excluded =
        listed(rules.excluded_clinics, merged.healthcare_facility) ||
        std::any_of(copies.begin(), copies.end(),
                    [&](const Copy& c) { return listed(rules.excluded_clinics, sources[c.source].key); });
    if (excluded) {
      for (const auto& c : copies) sources[c.source].held_excluded = true;
      continue;
    }
    if (hidden_time_type(resolved.hidden_folded, merged)) continue;
    if (merged.start && now >= *merged.start + rules.show_after_start) continue;

    for (const auto& c : copies) sources[c.source].has_visible = true;
    AppointmentView& v = view.appointments.emplace_back();
    // The group's key is appointment_identity(merged): every copy has it, and fill_missing() leaves the
    // two fields it is made of alone.
    v.id = view_id_of_identity(identity);
    v.clinic.hsa_id = detail::trim(merged.healthcare_facility);
    v.clinic.name = detail::trim(merged.healthcare_facility_name);
    if (v.clinic.name.empty()) v.clinic.name = names.of(clinic_key);
    if (v.clinic.name.empty()) v.clinic.name = names.of(owner.key);
    v.owner = detail::trim(owner.input->slice.status.logical_address);
    v.region = region_name;
    v.booking_system = booking_system;
    v.cancel = decide(merged.cancel_booking_allowed, merged.start, rules.cancel_cutoff, now, v.owner);
    v.rebook = decide(merged.rebooking_allowed, merged.start, rules.rebook_cutoff, now, v.owner);
    if (merged.start) {
      for (const UtcTime at : {*merged.start - std::chrono::floor<std::chrono::seconds>(rules.cancel_cutoff),
                               *merged.start - std::chrono::floor<std::chrono::seconds>(rules.rebook_cutoff),
                               *merged.start, *merged.start + std::chrono::ceil<std::chrono::seconds>(rules.show_after_start)}) {
        if (at > now && (!view.changes_at || at < *view.changes_at)) view.changes_at = at;
      }
    }
    v.appointment = std::move(merged);
  }
  std::sort(view.appointments.begin(), view.appointments.end(), [](const AppointmentView& a, const AppointmentView& b) {
    const auto& sa = a.appointment.start;
    const auto& sb = b.appointment.start;
    if (sa.has_value() != sb.has_value()) return sa.has_value();  // absent start last
    if (sa && *sa != *sb) return *sa < *sb;
    return a.id < b.id;
  });

  std::unordered_set<std::string> without_listed;
  view.sources.reserve(sources.size());
  for (const auto& s : sources) {
    const SourceStatus& st = s.input->slice.status;
    const config::Region* region = lookup.region_of(s.key);
    const config::RuleSet& rules =
        lookup.rules(region != nullptr ? std::string_view(region->name) : std::string_view(), s.input->booking_system).set;
    const bool confidential = listed(rules.excluded_clinics, s.key) || s.held_excluded;

    SourceView& sv = view.sources.emplace_back();
    sv.logical_address = detail::trim(st.logical_address);
    if (!confidential) sv.name = names.of(s.key);
    sv.state = s.state;
    sv.last_successful_synch = st.last_success;
    sv.last_unsuccessful_synch = st.last_failure;
    sv.confidential = confidential;
    if (!answered(s.state) &&
        (st.last_outcome != Outcome::ok || !st.error_code.empty() || !st.error_text.empty())) {
      sv.error_code = st.error_code.empty() ? std::string(to_string(st.last_outcome)) : st.error_code;
      sv.error_text = st.error_text;
      sv.causing_agent = st.causing_agent;
    }
    if (answered(s.state) && !s.has_visible && !confidential && without_listed.insert(s.key).second) {
      view.clinics_without_appointments.push_back({sv.logical_address, sv.name});
    }
  }
  // Sources are already in address order; clinics_without_appointments follows it, sorted by the same key.
  return view;
}

}  // namespace bokade::view
