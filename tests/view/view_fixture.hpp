#pragma once
// Slices and a config as the daemon would hand them to build_view: realistic HSA-ids of the regions the
// default config names, real-looking appointments, and the rules of config/bokaded.toml itself.

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bokade/config/config.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/view/person_view.hpp"

namespace bokade::view::test {

using namespace std::chrono_literals;

// "20261123090000" → UTC; every test names its times in Swedish local time as the producers do.
inline UtcTime local(const char* rivta) {
  auto t = parse_rivta_time(rivta);
  if (!t) throw std::invalid_argument(t.error().message);
  return *t;
}

// Monday 23 November 2026, 09:00 in Stockholm (08:00 UTC).
inline const UtcTime now = local("20261123090000");

// The default configuration, plus (when given) TOML appended to it, e.g. an extra rules table.
inline config::Config default_config(const std::string& extra_toml = {}) {
  const std::string text = std::string(config::default_config_toml()) + "\n" + extra_toml;
  auto parsed = config::parse_config(text, "bokaded.toml");
  if (!parsed) FAIL(config::to_string(parsed.error()));
  return *parsed;
}

struct Booking {
  std::string clinic;
  std::string clinic_name;
  std::string booking_id;
  std::optional<UtcTime> start;
  std::chrono::minutes length = 30min;
  std::string time_type_id = "BES";
  std::string time_type_name = "Besök";
  bool cancel = true;
  bool rebook = true;
};

inline Appointment appointment(const Booking& b) {
  Appointment a;
  a.start = b.start;
  if (b.start) a.end = *b.start + b.length;
  a.healthcare_facility = b.clinic;
  a.healthcare_facility_name = b.clinic_name;
  a.booking_id = b.booking_id;
  a.subject_of_care = "191212121212";  // Skatteverket's public test personnummer (Tolvan Tolvansson)
  a.performer = "SE2321000016-1003";
  a.performer_name = "Anna Lindqvist, distriktssköterska";
  a.purpose = "Uppföljning";
  a.reason = "Blodtryckskontroll";
  a.time_type_id = b.time_type_id;
  a.time_type_name = b.time_type_name;
  a.care_type_id = "OPPV";
  a.care_type_name = "Öppenvård";
  a.resource_id = "R12";
  a.resource_name = "Mottagningsrum 12";
  a.cancel_booking_allowed = b.cancel;
  a.rebooking_allowed = b.rebook;
  a.message_allowed = true;
  return a;
}

inline SourceInput source(std::string address, std::vector<Appointment> appointments,
                          ProcessingStatusCode code = ProcessingStatusCode::DataFromSource,
                          std::string booking_system = "TakeCare",
                          std::optional<UtcTime> last_success = now - 1min) {
  SourceInput in;
  in.slice.status.logical_address = std::move(address);
  in.slice.status.code = code;
  in.slice.status.last_success = last_success;
  in.slice.appointments = std::move(appointments);
  in.code = code;
  in.booking_system = std::move(booking_system);
  return in;
}

// A source whose latest attempt failed with `outcome`.
inline SourceInput failed_source(std::string address, std::vector<Appointment> appointments, Outcome outcome,
                                 std::string code, std::string text, std::string causing_agent) {
  const bool has_data = !appointments.empty();
  SourceInput in = source(std::move(address), std::move(appointments),
                          has_data ? ProcessingStatusCode::DataFromCacheSynchFailed
                                   : ProcessingStatusCode::NoDataSynchFailed,
                          "TakeCare", has_data ? std::optional<UtcTime>(now - 3h) : std::nullopt);
  in.slice.status.last_failure = now - 10s;
  in.slice.status.last_outcome = outcome;
  in.slice.status.error_code = std::move(code);
  in.slice.status.error_text = std::move(text);
  in.slice.status.causing_agent = std::move(causing_agent);
  return in;
}

inline const AppointmentView* find_booking(const PersonView& v, std::string_view booking_id) {
  for (const auto& a : v.appointments) {
    if (a.appointment.booking_id == booking_id) return &a;
  }
  return nullptr;
}

inline const SourceView* find_source(const PersonView& v, std::string_view address) {
  for (const auto& s : v.sources) {
    if (s.logical_address == address) return &s;
  }
  return nullptr;
}

inline std::vector<std::string> booking_ids(const PersonView& v) {
  std::vector<std::string> out;
  for (const auto& a : v.appointments) out.push_back(a.appointment.booking_id);
  return out;
}

}  // namespace bokade::view::test
