#pragma once
// Appointment: one booking or timed invitation, as a booking system describes it in a
// crm:scheduling TimeslotType. Empty strings mean "absent".

#include <optional>
#include <string>

#include "bokade/core/rivta_time.hpp"

namespace bokade {

struct Appointment {
  std::optional<UtcTime> start;  // startTimeInclusive
  std::optional<UtcTime> end;    // endTimeExclusive
  std::string healthcare_facility;       // HSA-id of the clinic the booking belongs to (mandatory on the wire)
  std::string healthcare_facility_name;
  std::string performer;                 // HSA-id
  std::string performer_name;
  std::string booking_id;
  std::string subject_of_care;           // as the producer sent it
  std::string purpose;
  std::string reason;
  std::string resource_name;
  std::string resource_id;
  std::string time_type_name;
  std::string time_type_id;
  std::string care_type_name;
  std::string care_type_id;
  bool cancel_booking_allowed = false;   // absent on the wire = false
  bool rebooking_allowed = false;
  bool message_allowed = false;
  bool is_invitation = false;            // crm:scheduling 1.1 extension

  friend bool operator==(const Appointment&, const Appointment&) = default;
};

// The identity used to show one booking once (ARCHITECTURE.md §2):
// lower(healthcare_facility) and bookingId, separated by a byte neither may contain.
std::string appointment_identity(const Appointment& a);

}  // namespace bokade
