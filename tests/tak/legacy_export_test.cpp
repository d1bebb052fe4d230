// The 2016 NTjP test dump in the older field layout (relationships.tjanstekonsument, "+0000" offsets).
// Every expectation below was looked up in the file itself.

#include <doctest/doctest.h>

#include "bokade/tak/tak_snapshot.hpp"
#include "tak_test_support.hpp"

using namespace bokade;
using namespace bokade::tak;
using bokade::tak::test::at;
using std::chrono::seconds;

namespace {

constexpr std::string_view schedule = get_subject_of_care_schedule_contract;

std::shared_ptr<const TakSnapshot> load_legacy() {
  auto snap = TakSnapshot::parse(test::legacy_export(), at("2016-03-11T00:00:00Z"));
  REQUIRE_MESSAGE(snap.has_value(), (snap ? "" : snap.error().message));
  return *snap;
}

}  // namespace

TEST_CASE("2016 dump: loads in the legacy layout with every entry") {
  const auto snap = load_legacy();
  CHECK(snap->format() == ExportFormat::legacy);
  CHECK(snap->counts().permissions == 2161);
  CHECK(snap->counts().routes == 864);
  CHECK(snap->counts().logical_addresses == 184);
  CHECK(snap->counts().contracts == 237);
  CHECK(snap->counts().components == 114);
  CHECK(snap->counts().call_addresses == 383);
  REQUIRE(snap->export_time().has_value());
  CHECK(format_iso_utc(*snap->export_time()) == "2016-03-10T13:31:55Z");
}

TEST_CASE("2016 dump: GetSubjectOfCareSchedule entries answer as the file says") {
  const auto snap = load_legacy();
  const auto now = at("2016-03-10T13:31:55Z");

  // Anropsbehörighet 5883 + vägval 195: SE5565594230-BCQ → HSA-ID-1, routed to the test stub.
  CHECK(snap->callable("SE5565594230-BCQ", schedule, "HSA-ID-1", now) == Callability::callable);
  CHECK(snap->callable("se5565594230-bcq", schedule, "hsa-id-1", now) == Callability::callable);
  const auto stub = snap->route(schedule, "HSA-ID-1", now);
  REQUIRE(stub.has_value());
  CHECK(stub->url == "http://ine-tit-mock02:29105/GetAggregatedSubjectOfCareSchedule/service/teststub/v1");
  CHECK(stub->rivta_profile == "RIVTABP21");
  CHECK(stub->producer == "MockServer-Test");
  CHECK(stub->vagval_id == 195);

  // Anropsbehörighet 7054 + vägval 32: 5565594230 → "Test", the Kalendercentralen demo booking system.
  CHECK(snap->callable("5565594230", schedule, "Test", now) == Callability::callable);
  CHECK(snap->route(schedule, "Test", now)->url ==
        "https://www.kalendercentralen.se/Schedulr/ws/GetSubjectOfCareSchedule/1");
  CHECK(snap->route(schedule, "Test", now)->producer == "KALENDERCENTRALEN-DEMOTIDBOK");
  // Anropsbehörighet 7055: 5565594230 → TESTB, but no vägval routes TESTB.
  CHECK(snap->callable("5565594230", schedule, "TESTB", now) == Callability::no_route);
  // Anropsbehörighet 7347: SE2321000016-A12C → SE2321000230-101B, no vägval either.
  CHECK(snap->authorized("SE2321000016-A12C", schedule, "SE2321000230-101B", now));
  CHECK(snap->callable("SE2321000016-A12C", schedule, "SE2321000230-101B", now) == Callability::no_route);
  // Vägval 214 routes HSA-ID-7, but no consumer holds a permission for it.
  CHECK(snap->route(schedule, "HSA-ID-7", now).has_value());
  CHECK(snap->callable("SE5565594230-BCQ", schedule, "HSA-ID-7", now) == Callability::not_authorized);
  CHECK(snap->callable("T_SERVICES_SE165565594230-10HJ", schedule, "HSA-ID-7", now) == Callability::not_authorized);

  CHECK(snap->authorized_addresses("SE2321000016-A12C", schedule, now) ==
        std::vector<std::string>{"SE2321000230-101B", "SE2321000230-1039", "SE2321000230-103B"});
}

TEST_CASE("2016 dump: the window of anropsbehörighet 7579 starts at 2015-12-16T23:00:00+0000") {
  const auto snap = load_legacy();
  const auto from = at("2015-12-16T23:00:00+0000");
  const auto tom = at("2115-12-16T23:00:00+0000");
  const std::string_view consumer = "T_SERVICES_SE165565594230-10HJ";
  CHECK_FALSE(snap->authorized(consumer, schedule, "HSA-VKK123", from - seconds{1}));
  CHECK(snap->authorized(consumer, schedule, "HSA-VKK123", from));
  CHECK(snap->authorized(consumer, schedule, "HSA-VKK123", tom));
  CHECK_FALSE(snap->authorized(consumer, schedule, "HSA-VKK123", tom + seconds{1}));
  // Vägval 155 for HSA-VKK123 has run since 2015-02-02T23:00:00+0000, so the permission decides.
  CHECK(snap->callable(consumer, schedule, "HSA-VKK123", from - seconds{1}) == Callability::not_authorized);
  CHECK(snap->callable(consumer, schedule, "HSA-VKK123", from) == Callability::callable);
}
