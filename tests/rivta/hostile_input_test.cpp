// Hostile and broken inputs are refused cleanly (parse_error, a short reason) and quickly.

#include <doctest/doctest.h>

#include <chrono>
#include <functional>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/processing_status.hpp"
#include "bokade/rivta/schedule.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;

namespace {

using Clock = std::chrono::steady_clock;

// Every reader, as a function returning the error (or nullopt when it accepted the document).
std::vector<std::pair<const char*, std::function<std::optional<ReadError>(std::string_view, const ReaderLimits&)>>> readers() {
  auto wrap = [](auto fn) {
    return [fn](std::string_view b, const ReaderLimits& l) -> std::optional<ReadError> {
      auto r = fn(b, l);
      if (r) return std::nullopt;
      return r.error();
    };
  };
  return {
      {"schedule response", wrap([](auto b, auto& l) { return read_schedule_response(b, l); })},
      {"schedule request", wrap([](auto b, auto& l) { return read_schedule_request(b, l); })},
      {"find content response", wrap([](auto b, auto& l) { return read_find_content_response(b, l); })},
      {"find content request", wrap([](auto b, auto& l) { return read_find_content_request(b, l); })},
      {"process notification", wrap([](auto b, auto& l) { return read_process_notification(b, l); })},
      {"process notification response", wrap([](auto b, auto& l) { return read_process_notification_response(b, l); })},
      {"fault", wrap([](auto b, auto& l) { return read_fault(b, l); })},
      {"processing status", wrap([](auto b, auto& l) { return read_processing_status(b, l); })},
  };
}

void require_refused_quickly(std::string_view bytes, std::string_view reason_part, const ReaderLimits& limits = {}) {
  for (const auto& [name, read] : readers()) {
    CAPTURE(name);
    const auto start = Clock::now();
    const auto error = read(bytes, limits);
    const auto elapsed = Clock::now() - start;
    REQUIRE(error);
    CHECK(error->outcome == Outcome::parse_error);
    CHECK(error->reason.find(reason_part) != std::string::npos);
    CHECK(elapsed < std::chrono::seconds(1));
  }
}

}  // namespace

TEST_CASE("billion laughs is refused without expanding anything") {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    xml += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) xml += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    xml += "\">\n";
  }
  xml += "]>\n<GetSubjectOfCareScheduleResponse xmlns=\"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1\">"
         "<timeslotDetail><bookingId>&lol9;</bookingId></timeslotDetail></GetSubjectOfCareScheduleResponse>";
  require_refused_quickly(xml, "DTD");
}

TEST_CASE("an external entity is refused") {
  const std::string xml = R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<GetSubjectOfCareScheduleResponse xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">
<timeslotDetail><bookingId>&xxe;</bookingId></timeslotDetail></GetSubjectOfCareScheduleResponse>)";
  require_refused_quickly(xml, "DTD");
  // Lower-case spelling is no DOCTYPE but still refused (malformed); a DOCTYPE after the root too.
  require_refused_quickly("<!doctype x><x/>", "");
  require_refused_quickly("<x/><!DOCTYPE x>", "");
  // An undeclared entity without a DTD is never expanded.
  const auto r = read_schedule_response(
      R"(<GetSubjectOfCareScheduleResponse xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">
         <timeslotDetail><healthcare_facility>A</healthcare_facility><bookingId>&xxe;</bookingId></timeslotDetail>
         </GetSubjectOfCareScheduleResponse>)");
  if (r) {
    REQUIRE(r->appointments.size() == 1);
    CHECK(r->appointments[0].booking_id.find("root:") == std::string::npos);
  } else {
    CHECK(r.error().outcome == Outcome::parse_error);
  }
}

TEST_CASE("a 100 MB body is refused before parsing") {
  std::string huge = R"(<GetSubjectOfCareScheduleResponse xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">)";
  const std::string slot = "<timeslotDetail><healthcare_facility>A</healthcare_facility></timeslotDetail>";
  huge.reserve(100u * 1024u * 1024u + slot.size());
  while (huge.size() < 100u * 1024u * 1024u) huge += slot;
  huge += "</GetSubjectOfCareScheduleResponse>";
  require_refused_quickly(huge, "exceeds the limit of 16777216");

  ReaderLimits small;
  small.max_bytes = 1000;
  require_refused_quickly(rivta::test::read_shared("itintegration/engagementindex/samples/ei-tests/ProcessNotification.xml"),
                          "exceeds the limit of 1000", small);
}

TEST_CASE("deep nesting is refused") {
  std::string deep;
  const int levels = 200000;
  for (int i = 0; i < levels; ++i) deep += "<a>";
  for (int i = 0; i < levels; ++i) deep += "</a>";
  require_refused_quickly(deep, "nested deeper than 64");

  ReaderLimits shallow;
  shallow.max_depth = 3;
  require_refused_quickly(rivta::test::read_shared("itintegration/engagementindex/samples/ei-tests/ProcessNotification.xml"),
                          "nested deeper than 3", shallow);
}

TEST_CASE("truncated documents are refused at every cut, never half-read") {
  const std::vector<std::string> samples = {
      rivta::test::read_shared("crm.scheduling/samples/takecare-adapter-testfiles/GetSubjectOfCareSchedule/response-output.xml"),
      rivta::test::read_shared("itintegration/engagementindex/samples/ei-tests/ProcessNotification.xml"),
      rivta::test::read_shared("agp/scheduling/aggregated-tidbokningar-request.xml"),
  };
  const auto all = readers();
  for (const auto& doc : samples) {
    // The last non-space character closes the root element; any cut before it leaves it open.
    const std::size_t last = doc.find_last_not_of(" \t\r\n");
    for (std::size_t cut = 0; cut < last; cut += 3) {
      for (const auto& [name, read] : all) {
        const auto error = read(std::string_view(doc).substr(0, cut), {});
        CAPTURE(name);
        CAPTURE(cut);
        REQUIRE(error);
        CHECK(error->outcome == Outcome::parse_error);
      }
    }
  }
}

TEST_CASE("empty, binary and non-XML bodies are parse errors; reasons never echo element text") {
  require_refused_quickly("", "");
  require_refused_quickly(std::string("\x00\x01\x02\xff\xfe garbage", 14), "");
  require_refused_quickly("<html><body>502 Bad Gateway</body>", "malformed");
  const auto r = read_schedule_request("<x:GetSubjectOfCareSchedule xmlns:x=\"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1\">"
                                       "<x:subject_of_care>191212121212</x:subject_of_care><unclosed>");
  REQUIRE_FALSE(r);
  CHECK(r.error().reason.find("191212121212") == std::string::npos);
  const auto s = read_schedule_request("<x:GetSubjectOfCareSchedule xmlns:x=\"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1\"/>");
  REQUIRE_FALSE(s);
  CHECK(s.error().reason == "GetSubjectOfCareSchedule has no subject_of_care");
}
