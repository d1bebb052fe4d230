// TakSnapshot over the current export format: ../shared/rivta/itintegration/tak/export/export.json.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "bokade/tak/tak_snapshot.hpp"
#include "tak_test_support.hpp"

using namespace bokade;
using namespace bokade::tak;
using bokade::tak::test::at;
using std::chrono::seconds;

namespace {

constexpr std::string_view schedule = get_subject_of_care_schedule_contract;
constexpr std::string_view ping = "urn:riv:itinfra:tp:PingResponder:1";
constexpr std::string_view find_content = "urn:riv:itintegration:engagementindex:FindContentResponder:1";
constexpr std::string_view process_notification =
    "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1";

std::shared_ptr<const TakSnapshot> load(const std::string& text) {
  auto snap = TakSnapshot::parse(text, at("2026-01-01T00:00:00Z"));
  REQUIRE_MESSAGE(snap.has_value(), (snap ? "" : snap.error().message));
  return *snap;
}

}  // namespace

TEST_CASE("export.json: what it holds, counted") {
  const auto snap = load(test::current_export());
  CHECK(snap->format() == ExportFormat::current);
  CHECK(snap->counts().permissions == 8);
  CHECK(snap->counts().routes == 9);
  CHECK(snap->counts().logical_addresses == 5);
  CHECK(snap->counts().contracts == 7);
  CHECK(snap->counts().components == 7);
  CHECK(snap->counts().call_addresses == 7);
  REQUIRE(snap->export_time().has_value());
  CHECK(format_iso_utc(*snap->export_time()) == "2009-03-09T23:00:00Z");  // "2009-03-10T00:00:00+0100"
  CHECK(snap->loaded_at() == at("2026-01-01T00:00:00Z"));
}

TEST_CASE("export.json: consumer tp may call GetSubjectOfCareSchedule on the three Kusten clinics") {
  const auto snap = load(test::current_export());
  const auto now = at("2026-06-01T12:00:00+0200");
  for (const auto* address : {"HSA-VKK123", "HSA-VKM345", "HSA-VKY567"}) {
    CAPTURE(address);
    CHECK(snap->authorized("tp", schedule, address, now));
    CHECK(snap->callable("tp", schedule, address, now) == Callability::callable);
    const auto r = snap->route(schedule, address, now);
    REQUIRE(r.has_value());
    CHECK(r->url == "http://33.33.33.33:8080/Schedulr-0.1/ws/GetSubjectOfCareSchedule/1");
    CHECK(r->rivta_profile == "RIVTABP21");
    CHECK(r->producer == "Schedulr");
    CHECK(r->receiver == address);
    CHECK_FALSE(r->via_default_receiver());
  }
  CHECK(snap->authorized_addresses("tp", schedule, now) ==
        std::vector<std::string>{"HSA-VKK123", "HSA-VKM345", "HSA-VKY567"});
  // HSA-ids and contract names compare case-insensitively.
  CHECK(snap->authorized("TP", schedule, "hsa-vkk123", now));
  CHECK(snap->authorized(" tp ", "URN:RIV:CRM:SCHEDULING:GETSUBJECTOFCARESCHEDULERESPONDER:1", "Hsa-Vkm345", now));
  // The producer itself, other consumers and other addresses have no permission.
  CHECK(snap->callable("Schedulr", schedule, "HSA-VKK123", now) == Callability::not_authorized);
  CHECK(snap->callable("5565594230", schedule, "HSA-VKK123", now) == Callability::not_authorized);
  CHECK(snap->callable("tp", schedule, "PING", now) == Callability::not_authorized);
  CHECK(snap->callable("tp", "urn:riv:crm:scheduling:NoSuchResponder:1", "HSA-VKK123", now) ==
        Callability::not_authorized);
  CHECK_FALSE(snap->route(schedule, "PING", now).has_value());
}

TEST_CASE("export.json: validity windows are inclusive at both ends") {
  const auto snap = load(test::current_export());
  // Permission 1 (tp → HSA-VKK123) runs from 2009-03-10T00:00:00+0100 to 2113-12-24T00:00:00+0100.
  const auto from = at("2009-03-10T00:00:00+0100");
  const auto tom = at("2113-12-24T00:00:00+0100");
  CHECK_FALSE(snap->authorized("tp", schedule, "HSA-VKK123", from - seconds{1}));
  CHECK(snap->authorized("tp", schedule, "HSA-VKK123", from));
  CHECK(snap->authorized("tp", schedule, "HSA-VKK123", tom));
  CHECK_FALSE(snap->authorized("tp", schedule, "HSA-VKK123", tom + seconds{1}));
  CHECK(snap->callable("tp", schedule, "HSA-VKK123", from - seconds{1}) == Callability::not_authorized);
  CHECK(snap->callable("tp", schedule, "HSA-VKK123", tom + seconds{1}) == Callability::not_authorized);

  // Vägval 2 (HSA-VKM345) starts later than its permission, on 2010-12-24T00:00:00+0100: authorized
  // before then, but not yet routed.
  const auto route_from = at("2010-12-24T00:00:00+0100");
  CHECK(snap->authorized("tp", schedule, "HSA-VKM345", route_from - seconds{1}));
  CHECK_FALSE(snap->route(schedule, "HSA-VKM345", route_from - seconds{1}).has_value());
  CHECK(snap->callable("tp", schedule, "HSA-VKM345", route_from - seconds{1}) == Callability::no_route);
  CHECK(snap->callable("tp", schedule, "HSA-VKM345", route_from) == Callability::callable);
  CHECK(snap->route(schedule, "HSA-VKM345", tom).has_value());
  CHECK_FALSE(snap->route(schedule, "HSA-VKM345", tom + seconds{1}).has_value());
}

TEST_CASE("export.json: a permission without a vägval gives no_route, a vägval without permission not_authorized") {
  const auto snap = load(test::current_export());
  const auto now = at("2026-06-01T12:00:00+0200");
  // Anropsbehörighet 6: tp may ping 5565594230, but the only Ping vägval is for PING.
  CHECK(snap->authorized("tp", ping, "5565594230", now));
  CHECK_FALSE(snap->route(ping, "5565594230", now).has_value());
  CHECK(snap->callable("tp", ping, "5565594230", now) == Callability::no_route);
  CHECK(snap->route(ping, "PING", now)->url == "http://localhost:10000/test/Ping_Service");
  CHECK(snap->route(ping, "PING", now)->rivta_profile == "RIVTABP20");
  // Vägval 8 routes ProcessNotification on 5565594230 to EI, but nobody holds a permission for it.
  CHECK(snap->route(process_notification, "5565594230", now)->producer == "EI-HSAID");
  CHECK(snap->callable("tp", process_notification, "5565594230", now) == Callability::not_authorized);
  // FindContent on 5565594230: permission 8 and vägval 7.
  CHECK(snap->callable("tp", find_content, "5565594230", now) == Callability::callable);
  CHECK(snap->route(find_content, "5565594230", now)->url == "http://localhost:8081/skltp-ei/notification-service/v1");
}

TEST_CASE("the default receiver '*' covers every logical address; an exact vägval wins over '*'") {
  // export.json has no '*'; add one the way TAK would: a logiskadress "*", a permission for 5565594230 on it
  // and a vägval on it to anropsadress 7, valid 2020-2030 only.
  auto doc = boost::json::parse(test::current_export());
  auto& data = doc.as_object()["data"].as_object();
  data["logiskadress"].as_array().push_back(boost::json::parse(R"({"id":99,"hsaId":"*","beskrivning":"default"})"));
  data["anropsbehorighet"].as_array().push_back(boost::json::parse(
      R"({"id":99,"integrationsavtal":"X","fromTidpunkt":"2020-01-01T00:00:00+0100",
          "tomTidpunkt":"2030-01-01T00:00:00+0100",
          "relationships":{"logiskAdress":99,"tjanstekomponent":6,"tjanstekontrakt":10}})"));
  data["vagval"].as_array().push_back(boost::json::parse(
      R"({"id":99,"fromTidpunkt":"2020-01-01T00:00:00+0100","tomTidpunkt":"2030-01-01T00:00:00+0100",
          "relationships":{"anropsadress":7,"logiskadress":99,"tjanstekontrakt":10}})"));
  const auto snap = load(boost::json::serialize(doc));
  const auto now = at("2026-06-01T12:00:00+0200");

  CHECK(snap->authorized("5565594230", schedule, "SE2321000016-ABCD", now));
  CHECK(snap->authorized("5565594230", schedule, "HSA-VKK123", now));
  CHECK_FALSE(snap->authorized("5565594230", schedule, "SE2321000016-ABCD", at("2030-01-01T00:00:01+0100")));
  CHECK_FALSE(snap->authorized("5565594230", ping, "PING", now));  // '*' is per contract
  CHECK(snap->authorized_addresses("5565594230", schedule, now) == std::vector<std::string>{"*"});

  const auto unknown = snap->route(schedule, "SE2321000016-ABCD", now);
  REQUIRE(unknown.has_value());
  CHECK(unknown->via_default_receiver());
  CHECK(unknown->url == "http://localhost:8083/GetAggregatedSubjectOfCareSchedule/service/v1");
  CHECK(unknown->producer == "AGT-Tidbok");
  CHECK(snap->callable("5565594230", schedule, "SE2321000016-ABCD", now) == Callability::callable);

  const auto exact = snap->route(schedule, "HSA-VKK123", now);
  REQUIRE(exact.has_value());
  CHECK_FALSE(exact->via_default_receiver());
  CHECK(exact->producer == "Schedulr");
  // Outside the '*' vägval's window only exact routes remain.
  CHECK_FALSE(snap->route(schedule, "SE2321000016-ABCD", at("2019-12-31T23:59:59+0100")).has_value());
}

TEST_CASE("TAK times: the spellings in use") {
  CHECK(format_iso_utc(test::at("2009-03-10T00:00:00+0100")) == "2009-03-09T23:00:00Z");
  CHECK(format_iso_utc(test::at("2014-08-12T22:00:00+0000")) == "2014-08-12T22:00:00Z");
  CHECK(format_iso_utc(test::at("2016-03-10T13:31:55Z")) == "2016-03-10T13:31:55Z");
  CHECK(format_iso_utc(test::at("2013-08-09T13:25:24.260+02:00")) == "2013-08-09T11:25:24Z");
  CHECK(format_iso_utc(test::at("2026-07-01")) == "2026-06-30T22:00:00Z");           // local midnight, summer
  CHECK(format_iso_utc(test::at("2026-01-15T08:00:00")) == "2026-01-15T07:00:00Z");  // local, winter
  for (const auto* bad : {"", "2009-03-10T", "2009-13-01T00:00:00Z", "2009-02-30", "2009-03-10T25:00:00Z",
                          "2009-03-10T00:00:00+1", "2009-03-10T00:00:00+0100x", "yesterday"}) {
    CAPTURE(bad);
    const auto t = parse_tak_time(bad);
    CHECK_FALSE(t.has_value());
  }
}
