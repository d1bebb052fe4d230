// The aggregating platform's ProcessingStatus header: the real samples read, round trip.

#include <doctest/doctest.h>

#include "bokade/rivta/processing_status.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;
using rivta::test::rivta_time;

TEST_CASE("ProcessingStatus sample without failures: two DataFromSource records") {
  const auto r = read_processing_status(rivta::test::read_shared("agp/processingstatus_no_failures.xml"));
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].logical_address == "SE2321000164-101B");
  CHECK((*r)[1].logical_address == "SE2321000164-1004");
  for (const auto& s : *r) {
    CHECK(s.code == ProcessingStatusCode::DataFromSource);
    CHECK(s.last_success == rivta_time("20150828103515"));
    CHECK_FALSE(s.last_failure);
    CHECK(s.error_code.empty());
  }
}

TEST_CASE("ProcessingStatus sample with failures: three NoDataSynchFailed records, no lastSuccessfulSynch") {
  const auto r = read_processing_status(rivta::test::read_shared("agp/processingstatus_with_failures.xml"));
  REQUIRE(r);
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].logical_address == "HSATEST2-CRS");
  CHECK((*r)[1].logical_address == "TEST-HSAID-99");
  CHECK((*r)[2].logical_address == "SE2321000016-A2BF");
  for (const auto& s : *r) {
    CHECK(s.code == ProcessingStatusCode::NoDataSynchFailed);
    CHECK_FALSE(s.last_success);
    CHECK(s.last_failure == rivta_time("20150828110721"));
    CHECK(s.causing_agent == "virtualization_platform");
    CHECK(s.error_code == "43000");
  }
  CHECK((*r)[0].error_text.starts_with("VP007 Authorization missing for serviceNamespace:"));
  CHECK((*r)[1].error_text.starts_with("VP004 No Logical Adress found for"));
}

TEST_CASE("ProcessingStatus writer → reader keeps every field the schema carries") {
  const auto statuses = rivta::test::sample_statuses();
  const auto back = read_processing_status(write_processing_status_element(statuses));
  REQUIRE(back);
  REQUIRE(back->size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK((*back)[i].logical_address == statuses[i].logical_address);
    CHECK((*back)[i].code == statuses[i].code);
    CHECK((*back)[i].last_success == statuses[i].last_success);
  }
  // Failure details travel only for records not in synch.
  CHECK((*back)[2].last_failure == statuses[2].last_failure);
  CHECK((*back)[2].error_code == "VP009");
  CHECK((*back)[2].error_text == statuses[2].error_text);
  CHECK((*back)[2].causing_agent == "virtualization_platform");
  CHECK((*back)[3].error_code == "timeout");
  CHECK((*back)[3].causing_agent == "service_producer");
}

TEST_CASE("causing agents outside the schema's enumeration are mapped") {
  CHECK(causing_agent_on_wire("virtualization_platform") == "virtualization_platform");
  CHECK(causing_agent_on_wire("producer") == "service_producer");
  CHECK(causing_agent_on_wire("bokade") == "other");
  CHECK(causing_agent_on_wire("") == "other");
}
