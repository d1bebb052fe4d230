#include "bokade/view/person_view.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <unordered_map>
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

bool hidden_time_type(const std::vector<std::string>& hidden, const Appointment& a) {
  const std::string id = detail::fold_name(a.time_type_id);
  const std::string name = detail::fold_name(a.time_type_name);
  return std::any_of(hidden.begin(), hidden.end(), [&](const std::string& entry) {
    const std::string e = detail::fold_name(entry);
    return !e.empty() && (e == id || e == name);
  });
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
  const SourceInput* input = nullptr;
  std::string key;  // normalised logical address
  SourceState state = SourceState::NoDataSynchFailed;
  bool has_visible = false;   // a copy of a shown appointment came from it
  bool held_excluded = false;  // it answered with an appointment of an excluded clinic
};

struct Copy {
  std::size_t source;
  const Appointment* appointment;
};

// Whether copy a is preferred over copy b as the owner (person_view.hpp, rule 2). Sources are sorted by
// address, so the lower index is the lower address.
bool preferred(const std::vector<Source>& sources, const Copy& a, const Copy& b) {
  const auto& sa = sources[a.source];
  const auto& sb = sources[b.source];
  const bool own_a = iequals(sa.key, detail::trim(a.appointment->healthcare_facility));
  const bool own_b = iequals(sb.key, detail::trim(b.appointment->healthcare_facility));
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
std::unordered_map<std::string, std::string> clinic_names(const std::vector<Source>& sources) {
  std::unordered_map<std::string, std::string> names;
  for (const bool own_pass : {true, false}) {
    for (const auto& s : sources) {
      if (!shows_appointments(s.state)) continue;
      for (const auto& a : s.input->slice.appointments) {
        if (detail::trim(a.healthcare_facility_name).empty()) continue;
        const std::string key = normalise_hsa(detail::trim(a.healthcare_facility));
        if ((key == s.key) != own_pass) continue;
        names.try_emplace(key, std::string(detail::trim(a.healthcare_facility_name)));
      }
    }
  }
  return names;
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

std::string appointment_view_id(const Appointment& a) {
  const std::string identity = appointment_identity(a);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(identity.data(), identity.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    // SHA-256 is built into every OpenSSL; this cannot fail short of memory exhaustion.
    throw std::runtime_error("SHA-256 is not available");
  }
  std::string hex;
  hex.reserve(32);
  for (std::size_t i = 0; i < 16; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

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

  std::vector<Source> sources;
  sources.reserve(inputs.size());
  for (const auto& in : inputs) {
    sources.push_back({&in, normalise_hsa(detail::trim(in.slice.status.logical_address)), state_of(in)});
  }
  std::stable_sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return a.key < b.key; });

  // Every copy of every booking, grouped by identity.
  std::map<std::string, std::vector<Copy>> groups;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!shows_appointments(sources[i].state)) continue;
    for (const auto& a : sources[i].input->slice.appointments) groups[appointment_identity(a)].push_back({i, &a});
  }
  const auto names = clinic_names(sources);
  auto name_of = [&](std::string_view hsa_id) -> std::string {
    const auto it = names.find(normalise_hsa(detail::trim(hsa_id)));
    return it == names.end() ? std::string{} : it->second;
  };

  for (auto& [identity, copies] : groups) {
    std::stable_sort(copies.begin(), copies.end(),
                     [&](const Copy& a, const Copy& b) { return preferred(sources, a, b); });
    const Source& owner = sources[copies.front().source];
    Appointment merged = *copies.front().appointment;
    for (std::size_t k = 1; k < copies.size(); ++k) fill_missing(merged, *copies[k].appointment);

    const config::Region* region = config::region_of(config, detail::trim(merged.healthcare_facility));
    if (region == nullptr) region = config::region_of(config, owner.key);
    const std::string region_name = region != nullptr ? region->name : std::string{};
    const std::string& booking_system = owner.input->booking_system;
    const config::RuleSet rules = config::resolve_rules(config.rules, region_name, booking_system);

    const bool excluded =
        listed(rules.excluded_clinics, merged.healthcare_facility) ||
        std::any_of(copies.begin(), copies.end(),
                    [&](const Copy& c) { return listed(rules.excluded_clinics, sources[c.source].key); });
    if (excluded) {
      for (const auto& c : copies) sources[c.source].held_excluded = true;
      continue;
    }
    if (hidden_time_type(rules.hidden_time_types, merged)) continue;
    if (merged.start && now >= *merged.start + rules.show_after_start) continue;

    for (const auto& c : copies) sources[c.source].has_visible = true;
    AppointmentView v;
    v.id = appointment_view_id(merged);
    v.clinic.hsa_id = std::string(detail::trim(merged.healthcare_facility));
    v.clinic.name = std::string(detail::trim(merged.healthcare_facility_name));
    if (v.clinic.name.empty()) v.clinic.name = name_of(merged.healthcare_facility);
    if (v.clinic.name.empty()) v.clinic.name = name_of(owner.key);
    v.owner = std::string(detail::trim(owner.input->slice.status.logical_address));
    v.region = region_name;
    v.booking_system = booking_system;
    v.cancel = decide(merged.cancel_booking_allowed, merged.start, rules.cancel_cutoff, now, v.owner);
    v.rebook = decide(merged.rebooking_allowed, merged.start, rules.rebook_cutoff, now, v.owner);
    v.appointment = std::move(merged);
    view.appointments.push_back(std::move(v));
  }
  std::sort(view.appointments.begin(), view.appointments.end(), [](const AppointmentView& a, const AppointmentView& b) {
    const auto& sa = a.appointment.start;
    const auto& sb = b.appointment.start;
    if (sa.has_value() != sb.has_value()) return sa.has_value();  // absent start last
    if (sa && *sa != *sb) return *sa < *sb;
    return a.id < b.id;
  });

  std::unordered_set<std::string> without_listed;
  for (const auto& s : sources) {
    const SourceStatus& st = s.input->slice.status;
    const config::Region* region = config::region_of(config, s.key);
    const config::RuleSet rules =
        config::resolve_rules(config.rules, region != nullptr ? region->name : "", s.input->booking_system);
    const bool confidential = listed(rules.excluded_clinics, s.key) || s.held_excluded;

    SourceView sv;
    sv.logical_address = std::string(detail::trim(st.logical_address));
    sv.name = confidential ? std::string{} : name_of(s.key);
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
    view.sources.push_back(std::move(sv));
  }
  // Sources are already in address order; clinics_without_appointments follows it, sorted by the same key.
  return view;
}

}  // namespace bokade::view
