// Every writer's output is validated with xmllint against the real contract schemas in ../shared/rivta.

#include <doctest/doctest.h>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/processing_status.hpp"
#include "bokade/rivta/schedule.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;
using bokade::rivta::test::SchemaSet;

namespace {
const SchemaSet& schemas() {
  static const SchemaSet set;
  return set;
}

void require_valid(std::string_view driver, const std::string& xml) {
  const auto v = schemas().validate(driver, xml);
  INFO("xmllint: " << v.output);
  INFO("document: " << xml.substr(0, 3000));
  CHECK(v.valid);
}

ScheduleRequest tolvan_request() {
  ScheduleRequest r;
  r.logical_address = "SE2321000016-A1B2";
  r.actor = Actor{"191212121212", "subject_of_care"};
  r.healthcare_facility = "SE2321000016-A1B2";
  r.subject_of_care = "191212121212";
  return r;
}
}  // namespace

TEST_CASE("the shipped crm schema rejects every real personnummer; the fixed copy accepts it") {
  const auto xml = write_schedule_request(tolvan_request());
  REQUIRE(xml);
  const auto shipped = schemas().validate("schedule_unfixed", *xml);
  CHECK_FALSE(shipped.valid);
  CHECK(shipped.output.find("subject_of_care") != std::string::npos);
  require_valid("schedule", *xml);
}

TEST_CASE("GetSubjectOfCareSchedule request is schema-valid, with and without Actor, reservnummer included") {
  auto r = tolvan_request();
  require_valid("schedule", write_schedule_request(r).value());
  r.actor.reset();
  require_valid("schedule", write_schedule_request(r).value());
  r.subject_of_care = "19121212T123";
  r.actor = Actor{"19121212T123", "subject_of_care_agent"};
  require_valid("schedule", write_schedule_request(r).value());
}

TEST_CASE("GetSubjectOfCareScheduleResponse is schema-valid: empty, 50 timeslots, minimal timeslot") {
  require_valid("schedule", write_schedule_response({}).value());

  std::vector<Appointment> many;
  for (int i = 0; i < 50; ++i) many.push_back(rivta::test::sample_appointment(i));
  many[3].subject_of_care = "19121212-1212";  // normalised to the 12-character form
  many[4].subject_of_care = "not an id";      // left out
  many[5].purpose = std::string("control\x01char and \xff bad utf-8");
  require_valid("schedule", write_schedule_response(many).value());

  Appointment minimal;
  minimal.healthcare_facility = "HSA-VKK123";
  require_valid("schedule", write_schedule_response(std::vector{minimal}).value());
}

TEST_CASE("GetSubjectOfCareScheduleResponse with a ProcessingStatus header (all four codes) is valid in the AGP schema") {
  const auto statuses = rivta::test::sample_statuses();
  std::vector<Appointment> some{rivta::test::sample_appointment(1), rivta::test::sample_appointment(2)};
  const auto xml = write_schedule_response(some, &statuses).value();
  require_valid("schedule_agp", xml);
  // lastSuccessfulSynch is present even for the record that never had a success.
  CHECK(xml.find("<lastSuccessfulSynch></lastSuccessfulSynch>") != std::string::npos);

  const std::vector<SourceStatus> none;
  require_valid("schedule_agp", write_schedule_response(some, &none).value());
}

TEST_CASE("the ProcessingStatus element alone is valid; the reference implementation's is not") {
  require_valid("processing_status", write_processing_status_element(rivta::test::sample_statuses()));
  // AGP leaves lastSuccessfulSynch out of NoDataSynchFailed records, which its own schema forbids.
  const auto reference = schemas().validate("processing_status", rivta::test::read_shared("agp/processingstatus_with_failures.xml"));
  CHECK_FALSE(reference.valid);
  CHECK(reference.output.find("lastSuccessfulSynch") != std::string::npos);
}

TEST_CASE("FindContent request is schema-valid, with and without filters") {
  FindContentRequest r;
  r.logical_address = "5565594230";
  r.registered_resident_identification = "191212121212";
  r.service_domain = "riv:crm:scheduling";
  require_valid("find_content", write_find_content_request(r).value());
  r.categorization = "NA";
  r.logical_address_filter = "SE2321000016-A1B2";
  r.business_object_instance_identifier = "b-1";
  r.clinical_process_interest_id = "NA";
  r.source_system = "SE2321000016-SYS";
  r.data_controller = "2321000016";
  r.owner = "SE2321000016-OWN";
  require_valid("find_content", write_find_content_request(r).value());
}

TEST_CASE("FindContentResponse is schema-valid") {
  require_valid("find_content", write_find_content_response({}).value());
  std::vector<Engagement> engagements;
  for (int i = 0; i < 7; ++i) engagements.push_back(rivta::test::sample_engagement(i));
  require_valid("find_content", write_find_content_response(engagements).value());
}

TEST_CASE("ProcessNotification request (1001 transactions from the VP sample, rewritten) is schema-valid") {
  const auto sample = read_process_notification(
      rivta::test::read_shared("itintegration/engagementindex/samples/vp-tests/ProcessNotificationLargePayload.xml"));
  REQUIRE(sample);
  REQUIRE(sample->transactions.size() == 1001);
  auto transactions = sample->transactions;
  transactions[7].delete_flag = true;
  require_valid("process_notification", write_process_notification("5565594230", transactions).value());
}

TEST_CASE("ProcessNotification response OK and ERROR are schema-valid") {
  require_valid("process_notification", write_process_notification_response({ResultCode::ok, ""}));
  require_valid("process_notification", write_process_notification_response({ResultCode::ok, "OK"}));
  require_valid("process_notification",
                write_process_notification_response({ResultCode::error, "batch not stored: disk <full> & retry"}));
}

TEST_CASE("SOAP faults are schema-valid") {
  require_valid("fault", write_fault(FaultCode::server, "VP009 Error connecting to service producer"));
  require_valid("fault", write_fault(FaultCode::client, "bad request: <subject_of_care> missing", "detail & more"));
}

TEST_CASE("the validation is strict enough to catch writer mistakes (negative controls)") {
  std::string xml = write_schedule_response(std::vector{rivta::test::sample_appointment(0)}).value();
  // Fields out of schema order.
  std::string swapped = xml;
  const auto performer = swapped.find("<core:performer>");
  const auto performer_end = swapped.find("</core:performer>") + std::string_view("</core:performer>").size();
  const std::string performer_xml = swapped.substr(performer, performer_end - performer);
  swapped.erase(performer, performer_end - performer);
  const auto after_booking = swapped.find("</core:bookingId>") + std::string_view("</core:bookingId>").size();
  swapped.insert(after_booking, performer_xml);
  CHECK_FALSE(schemas().validate("schedule", swapped).valid);
  // An undeclared SOAP header.
  std::string extra_header = xml;
  extra_header.insert(extra_header.find("<soapenv:Body>"), "<soapenv:Header><x:Foo xmlns:x=\"urn:x\"/></soapenv:Header>");
  CHECK_FALSE(schemas().validate("schedule", extra_header).valid);
  // A time that is no TS.
  std::string bad_time = xml;
  bad_time.replace(bad_time.find("<core:startTimeInclusive>") + 25, 14, "202611220930");
  CHECK_FALSE(schemas().validate("schedule", bad_time).valid);
}
