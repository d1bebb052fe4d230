// The engagement index pushes ProcessNotification batches to a subscriber: a tiny HttpServer in the
// test plays the daemon and records what arrives.

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>

#include "bokade/net/http_server.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "schema_set.hpp"
#include "sim_process.hpp"
#include "subscriber.hpp"

using namespace bokade;
using namespace bokade::sim::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {


std::size_t count_of(const std::vector<rivta::EngagementTransaction>& v, std::string_view booking_id, bool deleted) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [&](const auto& t) {
    return t.engagement.key.business_object_instance_identifier == booking_id && t.delete_flag == deleted;
  }));
}

std::vector<std::string> base_args(const Subscriber& s) {
  return {"--seed", "9", "--persons", "300", "--systems", "12", "--epoch", "2026-03-02", "--subscriber", s.url(),
          "--ei-rate", "50", "--ei-redeliver-delay", "200ms"};
}

std::string a_clinic(Http& http, const SimProcess& sim) {
  const auto world = http.json("GET", sim.url("/control/world"));
  return std::string(world.at("clinics").as_array().at(0).at("hsa_id").as_string());
}

}  // namespace

TEST_CASE("booking, rescheduling and cancelling an indexed booking push update, update, delete") {
  Subscriber sub;
  SimProcess sim(base_args(sub));
  Http http;
  bokade::test::SchemaSet schemas;
  const auto persons = http.json("GET", sim.url("/control/persons?limit=1"));
  const std::string person(persons.at("persons").as_array().at(0).at("id").as_string());
  const std::string clinic = a_clinic(http, sim);
  const auto booked = http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
                                R"({"clinic":")" + clinic + R"(","start":"20260501080000","indexed":true})");
  const std::string id(booked.at("booking_id").as_string());
  REQUIRE(sub.wait_for([&](const auto& v) { return count_of(v, id, false) == 1; }));
  auto t = sub.transactions().back();
  CHECK(t.engagement.key.registered_resident_identification == person);
  CHECK(t.engagement.key.logical_address == std::string(booked.at("engagement_logical_address").as_string()));
  CHECK(format_rivta_time(*t.engagement.most_recent_content) == "20260501080000");
  {
    std::lock_guard lock(sub.mutex);
    CHECK(sub.received.back().logical_address == "5565594230");
    const auto v = schemas.validate("process_notification", sub.raw.back());
    CHECK_MESSAGE(v.valid, v.output);
  }
  http.json("POST", sim.url("/control/persons/" + person + "/bookings/" + id + "/reschedule"), R"({"start":"20260502090000"})");
  REQUIRE(sub.wait_for([&](const auto& v) { return count_of(v, id, false) == 2; }));
  CHECK(format_rivta_time(*sub.transactions().back().engagement.most_recent_content) == "20260502090000");
  http.json("DELETE", sim.url("/control/persons/" + person + "/bookings/" + id));
  REQUIRE(sub.wait_for([&](const auto& v) { return count_of(v, id, true) == 1; }));

  // A booking the system does not index pushes nothing.
  const auto unindexed = http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
                                   R"({"clinic":")" + clinic + R"(","indexed":false})");
  std::this_thread::sleep_for(300ms);
  CHECK(count_of(sub.transactions(), std::string(unindexed.at("booking_id").as_string()), false) == 0);
}

TEST_CASE("a batch the subscriber faults is delivered again after the delay") {
  Subscriber sub;
  SimProcess sim(base_args(sub));
  Http http;
  sub.fail_next = 2;
  const auto persons = http.json("GET", sim.url("/control/persons?limit=1"));
  const std::string person(persons.at("persons").as_array().at(0).at("id").as_string());
  const auto booked = http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
                                R"({"clinic":")" + a_clinic(http, sim) + R"(","indexed":true})");
  const std::string id(booked.at("booking_id").as_string());
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(sub.wait_for([&](const auto& v) { return count_of(v, id, false) == 1; }));
  CHECK(std::chrono::steady_clock::now() - started >= 350ms);  // two faults, 200 ms apart at least
  const auto stats = http.json("GET", sim.url("/control/ei/stats"));
  CHECK(stats.at("batches_failed").to_number<std::uint64_t>() == 2);
  CHECK(stats.at("redeliveries").to_number<std::uint64_t>() == 2);
  CHECK(stats.at("batches_acknowledged").to_number<std::uint64_t>() == 1);
}

TEST_CASE("habits on demand: duplicates, deletes of keys never created, unchanged rows") {
  Subscriber sub;
  SimProcess sim(base_args(sub));
  Http http;
  http.json("PUT", sim.url("/control/ei/habits"), R"({"duplicates":1,"phantom_deletes":1,"unchanged":1})");
  const auto persons = http.json("GET", sim.url("/control/persons?limit=1"));
  const std::string person(persons.at("persons").as_array().at(0).at("id").as_string());
  const auto booked = http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
                                R"({"clinic":")" + a_clinic(http, sim) + R"(","indexed":true})");
  const std::string id(booked.at("booking_id").as_string());
  REQUIRE(sub.wait_for([&](const auto& v) { return count_of(v, id, false) == 2; }));
  const auto all = sub.transactions();
  CHECK(std::any_of(all.begin(), all.end(), [](const auto& t) {
    return t.delete_flag && t.engagement.key.business_object_instance_identifier.starts_with("EI-PHANTOM-");
  }));
  // The unchanged row is a real engagement of someone: FindContent has it.
  const auto unchanged = std::find_if(all.begin(), all.end(), [&](const auto& t) {
    return !t.delete_flag && t.engagement.key.business_object_instance_identifier != id;
  });
  REQUIRE(unchanged != all.end());
  auto r = http.request("POST", sim.url("/vp/ei"),
                        find_content_request("5565594230", unchanged->engagement.key.registered_resident_identification));
  REQUIRE(r.has_value());
  auto engagements = rivta::read_find_content_response(r->body);
  REQUIRE(engagements.has_value());
  CHECK(std::find(engagements->begin(), engagements->end(), unchanged->engagement) != engagements->end());
  const auto stats = http.json("GET", sim.url("/control/ei/stats"));
  CHECK(stats.at("duplicates").to_number<std::uint64_t>() >= 1);
  CHECK(stats.at("phantom_deletes").to_number<std::uint64_t>() >= 1);
}

TEST_CASE("replay pushes the whole index in batches of the configured size") {
  Subscriber sub;
  auto args = base_args(sub);
  args.insert(args.end(), {"--ei-batch-size", "50"});
  SimProcess sim(args);
  Http http;
  std::size_t indexed = 0;
  const auto persons = http.json("GET", sim.url("/control/persons?limit=300"));
  for (const auto& p : persons.at("persons").as_array()) indexed += p.at("indexed").to_number<std::uint64_t>();
  REQUIRE(indexed > 100);
  http.json("POST", sim.url("/control/ei/replay"));
  REQUIRE(sub.wait_for([&](const auto& v) { return v.size() == indexed; }));
  std::lock_guard lock(sub.mutex);
  for (const auto& n : sub.received) CHECK(n.transactions.size() <= 50);
}
