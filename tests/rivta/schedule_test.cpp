// GetSubjectOfCareSchedule: the real samples read, and round trips writer → reader.

#include <doctest/doctest.h>

#include <cstdio>

#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;
using rivta::test::read_shared;
using rivta::test::rivta_time;

TEST_CASE("TakeCare adapter response: two bookings with 12-digit times and empty elements") {
  const auto r = read_schedule_response(
      read_shared("crm.scheduling/samples/takecare-adapter-testfiles/GetSubjectOfCareSchedule/response-output.xml"));
  REQUIRE(r);
  REQUIRE(r->appointments.size() == 2);
  CHECK_FALSE(r->processing_status);
  CHECK(r->unreadable_values == 0);
  const Appointment& a = r->appointments[0];
  CHECK(a.booking_id == "db5a3ed8-c6b7-4c35-82b6-02261718d83a");
  CHECK(r->appointments[1].booking_id == "27a12dc1-b4ef-48c4-a537-7d32c73263ac");
  REQUIRE(a.start);
  CHECK(*a.start == rivta_time("20120614205500"));  // "201206142055": 12 digits, seconds = 0
  CHECK(format_rivta_time(*a.start) == "20120614205500");
  CHECK(a.end == a.start);
  CHECK(a.healthcare_facility == "HSA-VKK123");
  CHECK(a.healthcare_facility_name == "Careunit name");
  CHECK(a.performer == "1");
  CHECK(a.performer_name == "Namngiven resurs 1");
  CHECK(a.subject_of_care == "191414141414");
  CHECK(a.reason == "Patientens orsak till bokningen");
  CHECK(a.resource_name.empty());  // <resourceName></resourceName>
  CHECK(a.resource_id.empty());
  CHECK(a.time_type_name == "NORMAL");
  CHECK(a.time_type_id == "0");
  CHECK(a.purpose.empty());
  CHECK_FALSE(a.cancel_booking_allowed);
  CHECK(a.rebooking_allowed);
  CHECK_FALSE(a.message_allowed);  // absent
  CHECK_FALSE(a.is_invitation);
}

TEST_CASE("crm:scheduling 1.1 contract sample: isInvitation from the extension namespace, placeholder times unreadable") {
  const auto r = read_schedule_response(read_shared(
      "crm.scheduling/1.1/schemas/interactions/GetSubjectOfCareScheduleInteraction/GetSubjectOfCareScheduleResponder_1.1_Response.xml"));
  REQUIRE(r);
  REQUIRE(r->appointments.size() == 1);
  const Appointment& a = r->appointments[0];
  CHECK(a.is_invitation);
  CHECK(a.cancel_booking_allowed);
  CHECK(a.rebooking_allowed);
  CHECK(a.message_allowed);
  CHECK(a.booking_id == "tns1:bookingId");
  CHECK(a.care_type_id == "tns1:careTypeID");
  CHECK_FALSE(a.start);  // "tns1:startTimeInclusive" is no time
  CHECK_FALSE(a.end);
  CHECK(r->unreadable_values == 2);
}

TEST_CASE("crm:scheduling 1.0 contract sample: two timeslots, 14-digit times, booleans like 'true(?)' unreadable") {
  const auto r = read_schedule_response(read_shared(
      "crm.scheduling/1.1/schemas/interactions/GetSubjectOfCareScheduleInteraction/GetSubjectOfCareScheduleResponder_1.0_Response.xml"));
  REQUIRE(r);
  REQUIRE(r->appointments.size() == 2);
  CHECK(r->appointments[0].start == rivta_time("20011231120000"));
  CHECK(r->appointments[0].end == rivta_time("20011231220000"));
  CHECK(r->appointments[1].performer == "tns1:performer(?)");
  CHECK_FALSE(r->appointments[0].cancel_booking_allowed);
  CHECK(r->unreadable_values == 6);
}

TEST_CASE("GetSubjectOfCareSchedule requests: LogicalAddress (2.1), wsa:To (2.0), Actor, bare body") {
  SUBCASE("aggregated request with LogicalAddress and Actor, no healthcare_facility") {
    const auto r = read_schedule_request(read_shared("agp/scheduling/aggregated-tidbokningar-request.xml"));
    REQUIRE(r);
    CHECK(r->logical_address == "MEEE");
    CHECK(r->addressing == AddressingStyle::logical_address);
    REQUIRE(r->actor);
    CHECK(r->actor->actor_id == "194911172296");
    CHECK(r->actor->actor_type == "subject_of_care");
    CHECK(r->subject_of_care == "194911172296");
    CHECK(r->healthcare_facility.empty());
  }
  SUBCASE("RIVTA 2.0 wsa:To, value with surrounding white space") {
    const auto r = read_schedule_request(read_shared("itintegration/vp/samples/Rivta20Request.xml"));
    REQUIRE(r);
    CHECK(r->logical_address == "RIVTA20REQUEST");
    CHECK(r->addressing == AddressingStyle::wsa_to);
    CHECK(r->healthcare_facility == "SE2321000164-7381037590423");
    CHECK(r->subject_of_care == "188803099368");
    CHECK_FALSE(r->actor);
  }
  SUBCASE("RIVTA 2.1 LogicalAddress") {
    const auto r = read_schedule_request(read_shared("itintegration/vp/samples/Rivta21Request.xml"));
    REQUIRE(r);
    CHECK(r->logical_address == "RIVTA21REQUEST");
    CHECK(r->addressing == AddressingStyle::logical_address);
  }
  SUBCASE("VP test request with Actor placeholders") {
    const auto r = read_schedule_request(read_shared("itintegration/vp/samples/GetSubjectOfCareRequest21.xml"));
    REQUIRE(r);
    CHECK(r->logical_address == "demo-tidbok");
    CHECK(r->healthcare_facility == "HSA-VKK123");
    CHECK(r->subject_of_care == "188803099368");
    REQUIRE(r->actor);
    CHECK(r->actor->actor_id == "?");
  }
  SUBCASE("load-test request") {
    const auto r = read_schedule_request(read_shared("agp/scheduling/loadtest/GetSubjectOfCareSchedule_Positive_Response.xml"));
    REQUIRE(r);
    CHECK(r->logical_address == "5565594230");
    CHECK(r->subject_of_care == "121212121212");
  }
  SUBCASE("bare TakeCare request, no headers") {
    const auto r = read_schedule_request(
        read_shared("crm.scheduling/samples/takecare-adapter-testfiles/GetSubjectOfCareSchedule/request-input.xml"));
    REQUIRE(r);
    CHECK(r->addressing == AddressingStyle::none);
    CHECK(r->healthcare_facility == "HSA-VKK123");
    CHECK(r->subject_of_care == "191414141414");
  }
  SUBCASE("the wrong element is refused") {
    const auto r = read_schedule_request(
        read_shared("crm.scheduling/samples/takecare-adapter-testfiles/GetSubjectOfCareSchedule/request-bad-input.xml"));
    REQUIRE_FALSE(r);
    CHECK(r.error().outcome == Outcome::parse_error);
    CHECK(r.error().reason == "expected GetSubjectOfCareSchedule, found WrongElement");
  }
}

TEST_CASE("a response in the wrong namespace, or another document, is a parse error") {
  const std::string wrong_ns =
      R"(<r:GetSubjectOfCareScheduleResponse xmlns:r="urn:example:other"><r:timeslotDetail/></r:GetSubjectOfCareScheduleResponse>)";
  auto r = read_schedule_response(wrong_ns);
  REQUIRE_FALSE(r);
  CHECK(r.error().outcome == Outcome::parse_error);
  CHECK(r.error().reason.find("namespace") != std::string::npos);

  r = read_schedule_response(read_shared("itintegration/engagementindex/samples/ei-tests/FindContent.xml"));
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == "expected GetSubjectOfCareScheduleResponse, found FindContent");
}

TEST_CASE("lenient reading: odd prefixes, default namespaces, fields in the responder namespace, foreign extensions") {
  const std::string xml = R"(<?xml version="1.0"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>
<GetSubjectOfCareScheduleResponse xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">
 <timeslotDetail>
  <startTimeInclusive> 202611220930 </startTimeInclusive>
  <healthcare_facility>SE2321000016-A1B2</healthcare_facility>
  <x:bookingId xmlns:x="urn:example:extension">NOT-THIS-ONE</x:bookingId>
  <bookingId><![CDATA[b&1]]></bookingId>
  <purpose></purpose>
  <cancel_booking_allowed>1</cancel_booking_allowed>
  <message_allowed> TRUE </message_allowed>
  <i:isInvitation xmlns:i="urn:riv:crm:scheduling:1.1">true</i:isInvitation>
  <unknownElement>ignored</unknownElement>
 </timeslotDetail>
</GetSubjectOfCareScheduleResponse></S:Body></S:Envelope>)";
  const auto r = read_schedule_response(xml);
  REQUIRE(r);
  REQUIRE(r->appointments.size() == 1);
  const Appointment& a = r->appointments[0];
  CHECK(a.start == rivta_time("20261122093000"));
  CHECK(a.booking_id == "b&1");
  CHECK(a.purpose.empty());
  CHECK(a.cancel_booking_allowed);
  CHECK(a.message_allowed);
  CHECK(a.is_invitation);
  CHECK_FALSE(a.rebooking_allowed);
}

TEST_CASE("request round trip: writer → reader") {
  ScheduleRequest r;
  r.logical_address = "SE2321000016-A1B2";
  r.actor = Actor{"191212121212", "subject_of_care"};
  r.healthcare_facility = "SE2321000016-A1B2";
  r.subject_of_care = "191212121212";
  const auto xml = write_schedule_request(r);
  REQUIRE(xml);
  const auto back = read_schedule_request(*xml);
  REQUIRE(back);
  CHECK(*back == r);
}

TEST_CASE("request writer refuses what the schema would refuse") {
  ScheduleRequest r;
  r.logical_address = "LA";
  r.healthcare_facility = "HF";
  r.subject_of_care = "19121212-1212";
  CHECK_FALSE(write_schedule_request(r));
  r.subject_of_care = "191212121212";
  CHECK(write_schedule_request(r));
  r.healthcare_facility = " ";
  CHECK_FALSE(write_schedule_request(r));
  r.healthcare_facility = "HF";
  r.actor = Actor{"x", "doctor"};
  CHECK_FALSE(write_schedule_request(r));
  r.actor.reset();
  r.logical_address.clear();
  CHECK_FALSE(write_schedule_request(r));
}

TEST_CASE("response round trip: 50 timeslots with text needing escapes survive unchanged") {
  std::vector<Appointment> many;
  for (int i = 0; i < 50; ++i) many.push_back(rivta::test::sample_appointment(i));
  const auto xml = write_schedule_response(many);
  REQUIRE(xml);
  const auto back = read_schedule_response(*xml);
  REQUIRE(back);
  CHECK(back->unreadable_values == 0);
  REQUIRE(back->appointments.size() == many.size());
  for (std::size_t i = 0; i < many.size(); ++i) CHECK(back->appointments[i] == many[i]);
}

TEST_CASE("response writer: facility is mandatory; a subject_of_care is normalised or left out") {
  Appointment a = rivta::test::sample_appointment(0);
  a.healthcare_facility.clear();
  CHECK_FALSE(write_schedule_response(std::vector{a}));

  a = rivta::test::sample_appointment(0);
  a.subject_of_care = "19121212-1212";
  auto back = read_schedule_response(write_schedule_response(std::vector{a}).value());
  REQUIRE(back);
  CHECK(back->appointments[0].subject_of_care == "191212121212");
  a.subject_of_care = "garbage";
  back = read_schedule_response(write_schedule_response(std::vector{a}).value());
  REQUIRE(back);
  CHECK(back->appointments[0].subject_of_care.empty());
}

TEST_CASE("daylight saving: times are local without a zone, so the autumn fold cannot be told apart") {
  Appointment a;
  a.healthcare_facility = "HF";
  // 2026-10-25 02:30 happens twice in Stockholm: 00:30 UTC (summer time) and 01:30 UTC (winter time).
  a.start = rivta_time("20261025023000");
  auto back = read_schedule_response(write_schedule_response(std::vector{a}).value());
  REQUIRE(back);
  CHECK(back->appointments[0].start == a.start);
  a.start = *a.start + std::chrono::hours(1);  // the second 02:30, written as the same 14 digits
  const auto xml = write_schedule_response(std::vector{a}).value();
  CHECK(xml.find("20261025023000") != std::string::npos);
  back = read_schedule_response(xml);
  REQUIRE(back);
  CHECK(*back->appointments[0].start == *a.start - std::chrono::hours(1));  // read as the earlier one
}

TEST_CASE("response with ProcessingStatus header round trip") {
  const auto statuses = rivta::test::sample_statuses();
  const auto xml = write_schedule_response(std::vector{rivta::test::sample_appointment(1)}, &statuses);
  REQUIRE(xml);
  const auto back = read_schedule_response(*xml);
  REQUIRE(back);
  REQUIRE(back->processing_status);
  REQUIRE(back->processing_status->size() == 4);
  CHECK((*back->processing_status)[0].code == ProcessingStatusCode::DataFromSource);
  CHECK((*back->processing_status)[3].code == ProcessingStatusCode::NoDataSynchFailed);
  CHECK_FALSE((*back->processing_status)[3].last_success);
  CHECK((*back->processing_status)[3].causing_agent == "service_producer");
  CHECK((*back->processing_status)[3].error_code == "timeout");
}

TEST_CASE("a fault instead of a response is returned classified") {
  const auto r = read_schedule_response(write_fault(
      FaultCode::server, "VP007 Authorization missing for serviceNamespace: urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1, receiverId: HSA-VKK123, senderId: SE2321000016-A291"));
  REQUIRE_FALSE(r);
  CHECK(r.error().outcome == Outcome::not_authorized);
  CHECK(r.error().fault_code == "VP007");
  CHECK_FALSE(r.error().retryable);
  CHECK(r.error().reason.find("VP007 Authorization missing") != std::string::npos);
}

TEST_CASE("times read from a response equal parse_rivta_time around both DST changes, 12 and 14 digits") {
  std::string xml = R"(<r:GetSubjectOfCareScheduleResponse xmlns:r="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">)";
  std::vector<std::string> times;
  for (const char* day : {"20260329", "20261025", "19850331", "19700101"}) {
    for (int h = 0; h < 5; ++h) {
      for (int m = 0; m < 60; m += 7) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%02d%02d%02d", day, h, m, m % 60);
        times.emplace_back(buf);
        times.emplace_back(std::string(buf).substr(0, 12));
      }
    }
  }
  for (const auto& t : times) {
    xml += "<r:timeslotDetail><startTimeInclusive>" + t + "</startTimeInclusive><healthcare_facility>A</healthcare_facility></r:timeslotDetail>";
  }
  xml += "</r:GetSubjectOfCareScheduleResponse>";
  const auto r = read_schedule_response(xml);
  REQUIRE(r);
  REQUIRE(r->appointments.size() == times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    CAPTURE(times[i]);
    CHECK(r->appointments[i].start == rivta_time(times[i].size() == 14 ? times[i] : times[i] + "00"));
  }
}
