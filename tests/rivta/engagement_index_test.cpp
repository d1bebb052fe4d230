// Engagement index: FindContent and ProcessNotification samples read, round trips.

#include <doctest/doctest.h>

#include "bokade/rivta/engagement_index.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;
using rivta::test::read_shared;
using rivta::test::rivta_time;

namespace {
const std::string large_payload_path = "itintegration/engagementindex/samples/vp-tests/ProcessNotificationLargePayload.xml";
}

TEST_CASE("the 1001-transaction ProcessNotification real EI sends is read whole") {
  const auto n = read_process_notification(read_shared(large_payload_path));
  REQUIRE(n);
  CHECK(n->logical_address == "5565594230");
  REQUIRE(n->transactions.size() == 1001);
  CHECK(n->unreadable_values == 0);
  const auto& first = n->transactions.front();
  CHECK_FALSE(first.delete_flag);
  CHECK(first.engagement.key.registered_resident_identification == "189001019802");
  CHECK(first.engagement.key.service_domain == "riv:clinicalprocess:logistics:logistics");
  CHECK(first.engagement.key.categorization == "vko");
  CHECK(first.engagement.key.logical_address == "SKLTP-MOCK01");
  CHECK(first.engagement.key.business_object_instance_identifier == "NA");
  CHECK(first.engagement.key.clinical_process_interest_id == "NA");
  CHECK(first.engagement.key.source_system == "SKLTP-MOCK01");
  CHECK(first.engagement.key.data_controller == "SE-NMT123");
  CHECK(first.engagement.key.owner == "SE-TEST-OWNER");
  CHECK(first.engagement.most_recent_content == rivta_time("20190605171533"));
  CHECK(first.engagement.creation_time == rivta_time("19700101000000"));
  CHECK(first.engagement.update_time == rivta_time("20180101111111"));
  CHECK(n->transactions.back().engagement.key.registered_resident_identification == "189209269811");
}

TEST_CASE("the transaction cap is a hard limit") {
  ReaderLimits contract;
  contract.max_transactions = 1000;
  const auto n = read_process_notification(read_shared(large_payload_path), contract);
  REQUIRE_FALSE(n);
  CHECK(n.error().outcome == Outcome::parse_error);
  CHECK(n.error().reason == "ProcessNotification holds more than 1000 transactions");
}

TEST_CASE("EI test notifications: one transaction, and a duplicate pair") {
  auto n = read_process_notification(read_shared("itintegration/engagementindex/samples/ei-tests/ProcessNotification.xml"));
  REQUIRE(n);
  CHECK(n->logical_address == "ei-hsa-id");
  REQUIRE(n->transactions.size() == 1);
  const auto& key = n->transactions[0].engagement.key;
  CHECK(key.registered_resident_identification == "1111111111");  // test data, not schema-valid: kept as sent
  CHECK(key.logical_address == "TEST-LOGICAL-ADDRESS-2");
  CHECK(key.owner == "remote-owner");
  CHECK_FALSE(n->transactions[0].engagement.most_recent_content);

  n = read_process_notification(read_shared("itintegration/engagementindex/samples/ei-tests/ProcessNotification_duplicate.xml"));
  REQUIRE(n);
  REQUIRE(n->transactions.size() == 2);
  CHECK(n->transactions[0] == n->transactions[1]);
}

TEST_CASE("AGP's bare ProcessNotification with a partial engagement, and its expected response") {
  for (const char* path : {"agp/scheduling/process-notification/request-input.xml",
                           "crm.scheduling/samples/aggregated/process-notification/request-input.xml"}) {
    const auto n = read_process_notification(read_shared(path));
    REQUIRE(n);
    CHECK(n->logical_address.empty());
    REQUIRE(n->transactions.size() == 1);
    CHECK(n->transactions[0].engagement.key.registered_resident_identification == "194911172296");
    CHECK(n->transactions[0].engagement.key.logical_address == "HSA-ID-1");
    CHECK(n->transactions[0].engagement.key.service_domain.empty());
  }
  const auto r = read_process_notification_response(read_shared("agp/scheduling/process-notification/response-expected-result.xml"));
  REQUIRE(r);
  CHECK(r->result == ResultCode::ok);
  CHECK(r->comment == "OK");
}

TEST_CASE("an EI Update is not a ProcessNotification (and the upstream sample is truncated)") {
  const auto update = read_shared("itintegration/engagementindex/samples/ei-tests/Update1.xml");
  // Upstream's file ends after </soapenv:Body>, without closing the Envelope.
  auto n = read_process_notification(update);
  REQUIRE_FALSE(n);
  CHECK(n.error().reason.starts_with("malformed XML"));
  n = read_process_notification(update + "</soapenv:Envelope>");
  REQUIRE_FALSE(n);
  CHECK(n.error().reason == "expected ProcessNotification, found Update");
}

TEST_CASE("FindContent requests from the EI tests") {
  const auto r = read_find_content_request(read_shared("itintegration/engagementindex/samples/ei-tests/FindContent.xml"));
  REQUIRE(r);
  CHECK(r->logical_address == "ei-hsa-id");
  CHECK(r->registered_resident_identification == "191212121212");
  CHECK(r->service_domain == "TEST-DOMAIN");
  CHECK(r->categorization.empty());
}

TEST_CASE("FindContent request round trip, and refusals") {
  FindContentRequest r;
  r.logical_address = "5565594230";
  r.registered_resident_identification = "191212121212";
  r.service_domain = "riv:crm:scheduling";
  r.categorization = "NA";
  r.owner = "SE2321000016-OWN";
  const auto back = read_find_content_request(write_find_content_request(r).value());
  REQUIRE(back);
  CHECK(*back == r);
  r.registered_resident_identification = "1212121212";
  CHECK_FALSE(write_find_content_request(r));
}

TEST_CASE("FindContentResponse round trip") {
  std::vector<Engagement> engagements;
  for (int i = 0; i < 25; ++i) engagements.push_back(rivta::test::sample_engagement(i));
  const auto back = read_find_content_response(write_find_content_response(engagements).value());
  REQUIRE(back);
  CHECK(*back == engagements);

  const auto empty = read_find_content_response(write_find_content_response({}).value());
  REQUIRE(empty);
  CHECK(empty->empty());

  engagements[3].key.registered_resident_identification = "19121212-1212";
  CHECK_FALSE(write_find_content_response(engagements));
}

TEST_CASE("ProcessNotification round trip with deletes") {
  std::vector<EngagementTransaction> txs;
  for (int i = 0; i < 10; ++i) txs.push_back({i % 3 == 0, rivta::test::sample_engagement(i)});
  const auto back = read_process_notification(write_process_notification("SE-BOKADE", txs).value());
  REQUIRE(back);
  CHECK(back->logical_address == "SE-BOKADE");
  CHECK(back->transactions == txs);
  CHECK_FALSE(write_process_notification("SE-BOKADE", {}));
}

TEST_CASE("ProcessNotification response round trip: OK and ERROR with comment") {
  for (const ProcessNotificationResult& r :
       {ProcessNotificationResult{ResultCode::ok, ""}, ProcessNotificationResult{ResultCode::error, "store <unavailable> & busy"}}) {
    const auto back = read_process_notification_response(write_process_notification_response(r));
    REQUIRE(back);
    CHECK(*back == r);
  }
}

TEST_CASE("an unreadable deleteFlag or a transaction without engagement refuses the batch") {
  const std::string bad_flag = R"(<pn:ProcessNotification xmlns:pn="urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1"
      xmlns:ei="urn:riv:itintegration:engagementindex:1"><pn:engagementTransaction><ei:deleteFlag>maybe</ei:deleteFlag>
      <ei:engagement/></pn:engagementTransaction></pn:ProcessNotification>)";
  auto n = read_process_notification(bad_flag);
  REQUIRE_FALSE(n);
  CHECK(n.error().reason == "engagementTransaction 0 has an unreadable deleteFlag");
  const std::string no_engagement = R"(<pn:ProcessNotification xmlns:pn="urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1"
      xmlns:ei="urn:riv:itintegration:engagementindex:1"><pn:engagementTransaction><ei:deleteFlag>true</ei:deleteFlag>
      </pn:engagementTransaction></pn:ProcessNotification>)";
  n = read_process_notification(no_engagement);
  REQUIRE_FALSE(n);
  CHECK(n.error().reason == "engagementTransaction 0 has no engagement");
}
