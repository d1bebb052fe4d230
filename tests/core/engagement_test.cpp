#include <doctest/doctest.h>

#include "bokade/core/appointment.hpp"
#include "bokade/core/engagement.hpp"
#include "bokade/core/outcome.hpp"
#include "bokade/core/source_status.hpp"

using namespace bokade;

namespace {
EngagementKey sample() {
  return {"191212121212", "riv:crm:scheduling", "NA", "SE2321000016-A1B2", "BOOK-1", "NA", "SE2321000016-SYS",
          "2321000016", "SE2321000016-OWN"};
}
}  // namespace

TEST_CASE("engagement keys encode unambiguously and round trip") {
  const auto k = sample();
  const auto bytes = encode_engagement_key(k);
  auto back = decode_engagement_key(bytes);
  REQUIRE(back);
  CHECK(*back == k);

  // Moving a character from one field to the next must change the encoding.
  auto shifted = k;
  shifted.logical_address = "SE2321000016-A1B";
  shifted.business_object_instance_identifier = "2BOOK-1";
  CHECK(encode_engagement_key(shifted) != bytes);

  // Fields holding the length bytes themselves or NULs stay distinct.
  EngagementKey odd{};
  odd.categorization = std::string("\0\x01x", 3);
  auto odd_back = decode_engagement_key(encode_engagement_key(odd));
  REQUIRE(odd_back);
  CHECK(odd_back->categorization == odd.categorization);
  CHECK(encode_engagement_key(EngagementKey{}).size() == 18);
}

TEST_CASE("truncated or padded keys are refused") {
  const auto bytes = encode_engagement_key(sample());
  CHECK(decode_engagement_key(bytes.substr(0, bytes.size() - 1)).error().message.find("truncated") !=
        std::string::npos);
  CHECK(decode_engagement_key(bytes + "x").error().message.find("trailing") != std::string::npos);
  CHECK_FALSE(decode_engagement_key(""));
}

TEST_CASE("scheduling service domains, case-insensitive") {
  CHECK(is_scheduling_domain("riv:crm:scheduling"));
  CHECK(is_scheduling_domain("RIV:CRM:SCHEDULING"));
  CHECK(is_scheduling_domain("riv:supportprocess:logistics:scheduling"));
  CHECK_FALSE(is_scheduling_domain("riv:clinicalprocess:activityprescription:actoutcome"));
}

TEST_CASE("appointment identity: lower-cased facility and booking id") {
  Appointment a;
  a.healthcare_facility = "SE2321000016-A1B2";
  a.booking_id = "42";
  Appointment b = a;
  b.healthcare_facility = "se2321000016-a1b2";
  CHECK(appointment_identity(a) == appointment_identity(b));
  b.booking_id = "43";
  CHECK(appointment_identity(a) != appointment_identity(b));
  Appointment c;
  c.healthcare_facility = "X";
  c.booking_id = "1Y";
  Appointment d;
  d.healthcare_facility = "X1";
  d.booking_id = "Y";
  CHECK(appointment_identity(c) != appointment_identity(d));
}

TEST_CASE("outcome and processing status names are stable") {
  CHECK(to_string(Outcome::soap_fault) == "soap_fault");
  for (auto o : all_outcomes) CHECK(outcome_from_string(to_string(o)) == o);
  CHECK(is_retryable(Outcome::timeout));
  CHECK_FALSE(is_retryable(Outcome::not_authorized));
  for (auto c : all_processing_status_codes) CHECK(processing_status_from_string(to_string(c)) == c);
  CHECK(is_response_from_cache(ProcessingStatusCode::DataFromCacheSynchFailed));
  CHECK_FALSE(is_response_in_synch(ProcessingStatusCode::NoDataSynchFailed));
  CHECK(is_response_in_synch(ProcessingStatusCode::DataFromCache));
}
