// Writing crm:scheduling 1.1 GetSubjectOfCareSchedule requests and responses, strictly.

#include "bokade/core/person_id.hpp"
#include "bokade/rivta/namespaces.hpp"
#include "bokade/rivta/schedule.hpp"
#include "writers.hpp"
#include "xml_text.hpp"

namespace bokade::rivta {

namespace {

// The identity as the schema pattern wants it, or empty when it cannot be made so.
std::string schema_subject_of_care(std::string_view text) {
  const auto t = detail::trim(text);
  if (detail::matches_resident_id_pattern(t)) return std::string(t);
  auto id = PersonId::parse(t);
  if (id && detail::matches_resident_id_pattern(id->str())) return id->str();
  return {};
}

void write_timeslot(detail::XmlWriter& w, const Appointment& a) {
  w.open("gsc:timeslotDetail");
  if (a.start) w.element("core:startTimeInclusive", format_rivta_time(*a.start));
  if (a.end) w.element("core:endTimeExclusive", format_rivta_time(*a.end));
  w.element("core:healthcare_facility", a.healthcare_facility);
  w.optional_element("core:performer", a.performer);
  w.optional_element("core:bookingId", a.booking_id);
  w.optional_element("core:subject_of_care", schema_subject_of_care(a.subject_of_care));
  w.optional_element("core:purpose", a.purpose);
  w.optional_element("core:reason", a.reason);
  w.optional_element("core:resourceName", a.resource_name);
  w.optional_element("core:healthcare_facility_name", a.healthcare_facility_name);
  w.optional_element("core:performerName", a.performer_name);
  w.optional_element("core:resourceID", a.resource_id);
  w.optional_element("core:timeTypeName", a.time_type_name);
  w.optional_element("core:timeTypeID", a.time_type_id);
  w.optional_element("core:careTypeName", a.care_type_name);
  w.optional_element("core:careTypeID", a.care_type_id);
  w.boolean("core:cancel_booking_allowed", a.cancel_booking_allowed);
  w.boolean("core:rebooking_allowed", a.rebooking_allowed);
  w.boolean("core:message_allowed", a.message_allowed);
  if (a.is_invitation) w.boolean("ext:isInvitation", true);
  w.close("gsc:timeslotDetail");
}

}  // namespace

Expected<std::string> write_schedule_request(const ScheduleRequest& request) {
  const auto subject = detail::trim(request.subject_of_care);
  if (!detail::matches_resident_id_pattern(subject)) {
    return fail("subject_of_care must be 12 characters matching [0-9]{8}[0-9pPtTfF][0-9]{3}");
  }
  if (detail::trim(request.healthcare_facility).empty()) return fail("healthcare_facility is empty");
  if (detail::trim(request.logical_address).empty()) return fail("logical address is empty");
  if (request.actor && request.actor->actor_type != "subject_of_care" &&
      request.actor->actor_type != "subject_of_care_agent") {
    return fail("actor type must be subject_of_care or subject_of_care_agent");
  }

  detail::XmlWriter w(1024);
  w.begin_envelope({{"itr", ns::registry}, {"ih", ns::interop_headers}, {"gsc", ns::schedule_responder}});
  w.open("soapenv:Header");
  w.element("itr:LogicalAddress", detail::trim(request.logical_address));
  if (request.actor) {
    w.open("ih:Actor");
    w.element("ih:actorId", request.actor->actor_id);
    w.element("ih:actorType", request.actor->actor_type);
    w.close("ih:Actor");
  }
  w.close("soapenv:Header");
  w.open("soapenv:Body");
  w.open("gsc:GetSubjectOfCareSchedule");
  w.element("gsc:healthcare_facility", detail::trim(request.healthcare_facility));
  w.element("gsc:subject_of_care", subject);
  w.close("gsc:GetSubjectOfCareSchedule");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

Expected<std::string> write_schedule_response(std::span<const Appointment> appointments,
                                              const std::vector<SourceStatus>* processing_status) {
  for (std::size_t i = 0; i < appointments.size(); ++i) {
    if (detail::trim(appointments[i].healthcare_facility).empty()) {
      return fail("timeslot " + std::to_string(i) + " has no healthcare_facility");
    }
  }
  detail::XmlWriter w(1024 + appointments.size() * 1200 + (processing_status ? processing_status->size() * 600 : 0));
  w.begin_envelope({});
  if (processing_status) {
    w.open("soapenv:Header");
    detail::write_processing_status(w, *processing_status);
    w.close("soapenv:Header");
  }
  w.open("soapenv:Body");
  w.open("gsc:GetSubjectOfCareScheduleResponse",
         {{"gsc", ns::schedule_responder}, {"core", ns::crm_scheduling}, {"ext", ns::crm_scheduling_ext}});
  for (const Appointment& a : appointments) write_timeslot(w, a);
  w.close("gsc:GetSubjectOfCareScheduleResponse");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

}  // namespace bokade::rivta
