#pragma once
// crm:scheduling GetSubjectOfCareSchedule (1.0 and 1.1): the request bokade sends to every clinic
// and serves on its own endpoint, and the response it reads from booking systems and serves.
//
// Reading is lenient: local names, elements of the core, 1.1 extension or responder namespace (or
// none) accepted for TimeslotType fields, unknown elements ignored, values trimmed, empty elements
// read as absent, 12- or 14-digit times, booleans absent = false. A value that cannot be read
// (a time like "tns1:startTimeInclusive") is left absent and counted in `unreadable_values`.
// Writing is strict: crm:scheduling 1.1, schema-valid against the real XSDs.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/appointment.hpp"
#include "bokade/core/expected.hpp"
#include "bokade/core/source_status.hpp"
#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta {

struct ScheduleRequest {
  std::string logical_address;          // header: itr:LogicalAddress (1.1) or wsa:To (1.0)
  AddressingStyle addressing = AddressingStyle::logical_address;
  std::optional<Actor> actor;           // header: Actor
  std::string healthcare_facility;      // body; the aggregated contract sends none
  std::string subject_of_care;          // body; mandatory

  friend bool operator==(const ScheduleRequest&, const ScheduleRequest&) = default;
};

struct ScheduleResponse {
  std::vector<Appointment> appointments;
  // The ProcessingStatus header when the response carried one (an aggregating platform's answer).
  std::optional<std::vector<SourceStatus>> processing_status;
  std::size_t unreadable_values = 0;   // values left absent because they could not be read
};

// Reads a GetSubjectOfCareScheduleResponse. A SOAP fault in the body is returned as the error,
// classified (fault.hpp). The contract has no result code: success is the document itself.
ReadResult<ScheduleResponse> read_schedule_response(std::string_view bytes, const ReaderLimits& limits = {});

// Reads a GetSubjectOfCareSchedule request with its LogicalAddress/wsa:To and Actor headers.
ReadResult<ScheduleRequest> read_schedule_request(std::string_view bytes, const ReaderLimits& limits = {});

// Writes the request (RIVTA 2.1: LogicalAddress header, Actor header when given).
// Fails when subject_of_care is not 12 characters as the schema pattern wants
// ([0-9]{8}[0-9pPtTfF][0-9]{3}), when healthcare_facility or logical_address is empty, or when the
// actor type is not one the schema allows.
Expected<std::string> write_schedule_request(const ScheduleRequest& request);

// Writes a GetSubjectOfCareScheduleResponse 1.1, with a ProcessingStatus SOAP header when
// `processing_status` is given (all four status codes; see processing_status.hpp).
// Fails when a timeslot has no healthcare_facility (mandatory). A subject_of_care that is not a
// valid 12-character identity is normalised through PersonId, or left out when it cannot be.
Expected<std::string> write_schedule_response(std::span<const Appointment> appointments,
                                              const std::vector<SourceStatus>* processing_status = nullptr);

}  // namespace bokade::rivta
