#pragma once
// The citizen's merged view of one person: every slice the store holds (one per logical address) merged
// into one list of appointments, each booking shown once, with the configured display rules applied.
// Renderers: json.hpp (GET /v1/persons/{id}/appointments) and ics.hpp (…/appointments.ics).
//
// What build_view() decides, in order (docs/api.yaml says the same to API users):
//
// 1. Which slices count. A source whose latest attempt was refused by TAK or VP (Outcome::not_authorized or
//    Outcome::no_route) is NotAuthorized: its stored appointments are not shown, as the aggregating platform
//    never shows a source TAK does not let it call, and any action through it would fail. A NoDataSynchFailed
//    source says "we have nothing from it", so its slice is not used either. Every other slice is.
// 2. Dedupe. One appointment per appointment_identity() (lower(healthcare_facility) + bookingId). Of several
//    copies the one from the slice whose logical address is the appointment's own healthcare_facility wins
//    (a sub-clinic answering for itself beats its care unit answering for it), else the one from the slice
//    with the newest last success, else the lowest logical address (so the choice never depends on input
//    order). Its slice is the owner (the address to cancel or rebook through). Empty fields of the winner are
//    filled from the other copies.
// 3. Rules: resolve_rules(config.rules, region, booking system), where region = region_of(healthcare_facility)
//    or, failing that, region_of(owner), and booking system = the owner input's booking_system.
//    - hidden time types: time_type_id or time_type_name equal to an entry (trimmed, case-insensitive, also
//      for Å, Ä, Ö and the other Latin-1 letters) → not shown;
//    - excluded (confidential) clinics: the healthcare_facility, or any logical address whose slice held a
//      copy, in excluded_clinics → not shown. Every copy's address counts, not only the owner's: a booking at
//      a sub-clinic of an excluded care unit, answered by both, is hidden although its owner is the sub-clinic;
//    - shown while now < start + show_after_start (without a start: always); a passed end does not matter;
//    - cancel / rebook: allowed when the booking system allows it, the start is known and in the future, and
//      now < start − cutoff. The first failing condition gives the reason.
// 4. Confidential clinics are never revealed: a source whose address is excluded, or whose answer held an
//    excluded appointment, is left out of clinics_without_appointments, and its SourceView carries no name.
//    It stays in sources by logical address alone (with confidential = true), because the answer must say
//    what happened to every address asked (the aggregating platform's ProcessingStatus contract has one record
//    per logical address), and an operator needs it to see a failing source. A logical address is what the
//    engagement index already told the consumer; the clinic's name is not.
// 5. Sort: by start (absent start last), then id.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/config/config.hpp"
#include "bokade/core/appointment.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/core/source_status.hpp"
#include "bokade/store/codec.hpp"

namespace bokade::view {

// What the store and the refresh said about one logical address for this query.
struct SourceInput {
  store::Slice slice;         // status + appointments as stored (status.logical_address set)
  ProcessingStatusCode code;  // the code for THIS answer (decided by the caller: DataFromSource when the slice
                              // was refreshed during this request, DataFromCache when served fresh from the
                              // store, else the stored failure code)
  std::string booking_system;  // configured booking-system name or "other" (for rules)
};

enum class SourceState : std::uint8_t {
  DataFromSource,
  DataFromCache,
  DataFromCacheSynchFailed,
  NoDataSynchFailed,
  NotAuthorized,  // slice.status.last_outcome is Outcome::not_authorized or Outcome::no_route
};
// The first four are ProcessingStatusCode's values in its order, so a state other than NotAuthorized converts
// with a static_cast (the SOAP ProcessingStatus header does that).
static_assert(static_cast<int>(SourceState::DataFromSource) == static_cast<int>(ProcessingStatusCode::DataFromSource) &&
              static_cast<int>(SourceState::DataFromCache) == static_cast<int>(ProcessingStatusCode::DataFromCache) &&
              static_cast<int>(SourceState::DataFromCacheSynchFailed) ==
                  static_cast<int>(ProcessingStatusCode::DataFromCacheSynchFailed) &&
              static_cast<int>(SourceState::NoDataSynchFailed) ==
                  static_cast<int>(ProcessingStatusCode::NoDataSynchFailed));

// "DataFromSource", …, "NotAuthorized": the JSON status values.
std::string_view to_string(SourceState s) noexcept;

struct Action {
  bool allowed = false;
  std::string reason;  // empty when allowed; e.g. "not within 24 h of the start"
  std::string logical_address;  // the owner: where the cancel / rebook call goes
};

struct Clinic {
  std::string hsa_id;
  std::string name;  // may be empty when no answer named it
  friend bool operator==(const Clinic&, const Clinic&) = default;
};

struct AppointmentView {
  std::string id;            // appointment_view_id(): stable, opaque, URL-safe
  Appointment appointment;   // as the booking system said it (empty fields filled from duplicate copies)
  Clinic clinic;             // healthcare_facility and its name (see build_view for where a missing name comes from)
  std::string owner;         // the logical address to cancel / rebook through
  std::string region;        // config region name or empty
  std::string booking_system;
  Action cancel, rebook;
};

struct SourceView {
  std::string logical_address;
  std::string name;  // clinic name known for that address; empty when unknown or confidential
  SourceState state = SourceState::NoDataSynchFailed;
  std::optional<UtcTime> last_successful_synch, last_unsuccessful_synch;
  // Set only when the source is not in synch (DataFromCacheSynchFailed, NoDataSynchFailed, NotAuthorized);
  // error_code falls back to the Outcome name when the source gave no code, as the SOAP header does.
  std::string error_code, error_text, causing_agent;
  bool confidential = false;  // an excluded clinic: renderers must not add anything that names it
};

struct PersonView {
  std::vector<AppointmentView> appointments;  // deduped, rules applied, sorted by start then id
  std::vector<SourceView> sources;            // one per input, sorted by logical address
  std::vector<Clinic> clinics_without_appointments;  // sources that answered (DataFromSource / DataFromCache)
                                                     // with no visible appointment, sorted by hsa_id
  UtcTime generated{};  // the `now` the view was built for: "generated" in JSON, DTSTAMP in ICS
  // The first moment after `generated` at which build_view() would decide differently on the same inputs:
  // an appointment shown reaching its cancel or rebook cut-off, its start, or the end of its showing.
  // Absent when no such moment exists. Until then (and while the inputs stay the same) the view stands.
  std::optional<UtcTime> changes_at;
};

PersonView build_view(std::vector<SourceInput> inputs, const config::Config& config, UtcTime now);

// The id of an appointment in the view: the first 16 bytes of SHA-256(appointment_identity(a)) as 32 lower-case
// hex digits. The same booking gets the same id in every request and after a restart; it reveals nothing.
std::string appointment_view_id(const Appointment& a);

// A cutoff in the words the reasons use: 24h → "24 h", 90min → "90 min", 45s → "45 s", 1500ms → "1500 ms".
std::string describe_cutoff(std::chrono::milliseconds cutoff);

}  // namespace bokade::view
