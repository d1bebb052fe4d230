// The aggregated view as its users meet it: the citizen's JSON and calendar, the national platform's
// SOAP consumers, and operators feeding legacy relations — against bokade-sim and a real bokaded on
// loopback. What the daemon answers is checked against the simulator's ground truth.

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <regex>
#include <set>
#include <thread>

#include "platform.hpp"
#include "schema_set.hpp"

using namespace bokade::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

PlatformOptions world_options(int persons, bool configure_world = false) {
  PlatformOptions o;
  o.persons = persons;
  o.configure_world = configure_world;
  return o;
}

std::string str(const json::value& v) { return json::value_to<std::string>(v); }

json::object appointments_of(const Platform& p, const std::string& person, const std::string& query = "") {
  auto r = http_get(p.daemon->query, "/v1/persons/" + person + "/appointments" + query);
  REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.error << r.body);
  CHECK(r.header("Content-Type").find("application/json") == 0);
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK_FALSE(r.header("x-skltp-correlation-id").empty());
  return json::parse(r.body).as_object();
}

std::map<std::string, std::string> status_by_address(const json::object& view) {
  std::map<std::string, std::string> out;
  for (const auto& s : view.at("sources").as_array()) out[str(s.at("logicalAddress"))] = str(s.at("status"));
  return out;
}

std::set<std::string> booking_ids(const json::object& view) {
  std::set<std::string> out;
  for (const auto& a : view.at("appointments").as_array()) out.insert(str(a.at("bookingId")));
  return out;
}

// The bookings a citizen must see, by the simulator's ground truth: found by an address bokade asks
// (EI path; the legacy path when relations were imported), neither a hidden time type nor a
// confidential clinic.
std::set<std::string> visible_truth(const Platform& p, const std::string& person, bool with_relations) {
  auto truth = get_json(p.sim_address, "/control/persons/" + person + "/truth");
  std::set<std::string> out;
  for (const auto& b : truth.at("bookings").as_array()) {
    const bool found = b.at("ei_path").as_bool() || (with_relations && b.at("legacy_path").as_bool());
    if (found && !b.at("hidden").as_bool() && !b.at("confidential").as_bool()) out.insert(str(b.at("booking_id")));
  }
  return out;
}

std::string soap_request(const std::string& logical_address, const std::string& person) {
  // The national aggregating service's own test request (../shared/rivta/agp), addressed and filled in.
  auto xml = read_file(std::filesystem::path(BOKADE_SHARED_DIR) / "rivta/agp/scheduling/aggregated-tidbokningar-request.xml");
  xml = std::regex_replace(xml, std::regex(">MEEE<"), ">" + logical_address + "<");
  xml = std::regex_replace(xml, std::regex("194911172296"), person);
  return xml;
}

HttpResult post_soap(const Platform& p, const std::string& body) {
  return http_request(p.daemon->query, "POST", "/rivta/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21", body,
                      {{"Content-Type", "text/xml; charset=utf-8"},
                       {"SOAPAction", "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1:GetSubjectOfCareSchedule"},
                       {"x-rivta-original-serviceconsumer-hsaid", "SE2321000016-TEST"}});
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// Persons of the world with at least `min` bookings that a citizen would see.
std::vector<std::string> persons_with_bookings(const Platform& p, std::size_t want, std::size_t min = 1) {
  auto list = get_json(p.sim_address, "/control/persons?limit=400&with_bookings=true");
  std::vector<std::string> out;
  for (const auto& x : list.at("persons").as_array()) {
    const auto id = str(x.at("id"));
    if (visible_truth(p, id, false).size() >= min) out.push_back(id);
    if (out.size() == want) break;
  }
  return out;
}

}  // namespace

TEST_CASE("the citizen's view: every visible booking once, sorted by start, with clinic, actions and sources") {
  Platform p({}, world_options(400, true));
  const auto persons = persons_with_bookings(p, 8, 2);
  REQUIRE(persons.size() == 8);
  const auto tak = p.tak_states();
  for (const auto& person : persons) {
    CAPTURE(person);
    auto view = appointments_of(p, person);
    CHECK(str(view.at("person")).find("****") != std::string::npos);
    CHECK(str(view.at("person")).find(person) == std::string::npos);
    CHECK(booking_ids(view) == visible_truth(p, person, false));

    const auto& list = view.at("appointments").as_array();
    std::string previous;
    std::set<std::string> ids;
    for (const auto& a : list) {
      const auto start = str(a.at("start"));
      CHECK(std::regex_match(start, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)")));
      CHECK(start >= previous);  // same offset within a season; the id breaks ties
      previous = start;
      CHECK(ids.insert(str(a.at("id"))).second);
      CHECK_FALSE(str(a.at("clinic").at("hsaId")).empty());
      CHECK_FALSE(str(a.at("clinic").at("name")).empty());
      for (const char* action : {"cancel", "rebook"}) {
        const auto& act = a.at("actions").at(action);
        CHECK_FALSE(str(act.at("logicalAddress")).empty());
        if (!act.at("allowed").as_bool()) CHECK_FALSE(str(act.at("reason")).empty());
      }
    }
    // Every source bokade may call answered now; the others are marked, not called.
    for (const auto& [address, status] : status_by_address(view)) {
      CHECK_MESSAGE(status == (tak.at(address) == "granted" ? "DataFromSource" : "NotAuthorized"), address);
    }

    // Ids are stable from one answer to the next.
    auto again = appointments_of(p, person);
    std::set<std::string> again_ids;
    for (const auto& a : again.at("appointments").as_array()) again_ids.insert(str(a.at("id")));
    CHECK(again_ids == ids);
  }
}

TEST_CASE("freshness: a fresh answer comes from the cache without calls; maxAge=0s asks the sources again") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  auto first = appointments_of(p, person);
  const auto sources = status_by_address(first);
  REQUIRE_FALSE(sources.empty());
  std::map<std::string, std::int64_t> calls;
  for (const auto& [address, status] : sources) calls[address] = p.calls_to(address);

  auto cached = appointments_of(p, person);
  for (const auto& [address, status] : status_by_address(cached)) {
    CHECK_MESSAGE(status == "DataFromCache", address);
    CHECK(p.calls_to(address) == calls[address]);
  }
  CHECK(booking_ids(cached) == booking_ids(first));

  auto fresh = appointments_of(p, person, "?maxAge=0s");
  for (const auto& [address, status] : status_by_address(fresh)) {
    CHECK_MESSAGE(status == "DataFromSource", address);
    CHECK(p.calls_to(address) > calls[address]);
  }
}

TEST_CASE("the view cache: the same answer again while nothing changed; a new booking, relation or config shows at once") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  const auto path = "/v1/persons/" + person + "/appointments";
  const auto lookups = [&](const std::string& result) {
    const auto value = metric_sample(http_get(p.daemon->admin, "/metrics").body,
                                     "bokade_view_cache_lookups_total{result=\"" + result + "\"}");
    REQUIRE_MESSAGE(value.has_value(), result);
    return *value;
  };
  const auto first = appointments_of(p, person, "?wait=5s");  // asks the sources: not kept
  REQUIRE_FALSE(first.at("sources").as_array().empty());

  // Rendered from the store (every source DataFromCache) and kept; then served again, byte for byte —
  // "generated" included, which says when it was rendered.
  const auto hits = lookups("hit");
  const auto rendered = http_get(p.daemon->query, path);
  const auto again = http_get(p.daemon->query, path);
  REQUIRE(rendered.status == 200);
  CHECK(again.status == 200);
  CHECK(again.body == rendered.body);
  CHECK(again.header("Cache-Control") == "no-store");
  CHECK(again.header("x-skltp-correlation-id") != rendered.header("x-skltp-correlation-id"));
  CHECK(lookups("hit") == hits + 1);
  for (const auto& [address, status] : status_by_address(json::parse(again.body).as_object())) {
    CHECK_MESSAGE(status == "DataFromCache", address);
  }
  // The calendar is kept on its own.
  const auto ics = http_get(p.daemon->query, path + ".ics");
  CHECK(http_get(p.daemon->query, path + ".ics").body == ics.body);
  CHECK(lookups("hit") == hits + 2);

  // A query with a shorter maxAge than its sources' age refreshes them, kept answer or not.
  std::this_thread::sleep_for(1100ms);
  for (const auto& [address, status] : status_by_address(appointments_of(p, person, "?maxAge=1s&wait=5s"))) {
    CHECK_MESSAGE(status == "DataFromSource", address);
  }
  const auto kept = appointments_of(p, person);  // rendered from the store again, and kept
  CHECK(appointments_of(p, person) == kept);

  // A booking made in a booking system reaches bokade through the index and a refresh; the next query
  // shows it at once, not the answer kept a moment ago.
  std::string clinic;  // a care unit TAK lets bokade call, not confidential
  for (const auto& c : p.world.at("clinics").as_array()) {
    if (c.at("tak").as_string() == "granted" && c.at("care_unit").is_null() && !c.at("confidential").as_bool()) {
      clinic = str(c.at("hsa_id"));
      break;
    }
  }
  REQUIRE_FALSE(clinic.empty());
  const auto [booking, address] = p.book(person, clinic);
  REQUIRE(eventually([&] { return Platform::has_booking(p.slice(person, address), booking); }, 5s));
  CHECK(booking_ids(appointments_of(p, person)).count(booking) == 1);

  // So does a legacy relation.
  const auto related = p.clinic_with_tak("missing");
  send_json(p.daemon->query, "PUT", "/v1/persons/" + person + "/relations",
            fmt::format(R"({{"logicalAddresses":["{}"]}})", related));
  CHECK(status_by_address(appointments_of(p, person))[related] == "NotAuthorized");

  // Turned off by a reload: every query is answered by a query.
  auto text = read_file(p.daemon->config_path);
  const auto at = text.find("retries = 1\n");
  REQUIRE(at != std::string::npos);
  text.insert(at, "view_cache_entries = 0\n");
  write_file(p.daemon->config_path, text);
  const auto reloads = count(p.daemon->log(), "\"configuration reloaded\"");
  p.daemon->process->signal(SIGHUP);
  REQUIRE(eventually([&] { return count(p.daemon->log(), "\"configuration reloaded\"") > reloads; }, 5s));
  const auto hits_before_off = lookups("hit");
  appointments_of(p, person);
  appointments_of(p, person);
  CHECK(lookups("hit") == hits_before_off);
}

TEST_CASE("concurrent queries for one person share one refresh") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  auto truth = get_json(p.sim_address, "/control/persons/" + person + "/truth");
  // Slow every booking system down so that the queries overlap.
  send_json(p.sim_address, "PUT", "/control/systems/*", R"({"latency":"fixed:400ms"})");
  auto first = appointments_of(p, person, "?wait=5s");
  const auto sources = status_by_address(first);
  std::map<std::string, std::int64_t> before;
  for (const auto& [address, status] : sources) before[address] = p.vp_calls_to(address);

  constexpr int n = 12;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      auto r = http_get(p.daemon->query, "/v1/persons/" + person + "/appointments?maxAge=0s&wait=5s");
      if (r.status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == n);
  for (const auto& [address, status] : sources) {
    CAPTURE(address);
    const auto made = p.vp_calls_to(address) - before[address];
    // One shared refresh; a query arriving after it ended may start one more.
    CHECK(made >= 1);
    CHECK(made <= 2);
  }
}

TEST_CASE("a query meeting a refresh already running for the person takes its answers: one call per clinic") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  const auto tak = p.tak_states();
  auto first = appointments_of(p, person, "?wait=5s");
  send_json(p.sim_address, "PUT", "/control/systems/*", R"({"latency":"fixed:500ms"})");
  std::map<std::string, std::int64_t> before;
  for (const auto& [address, status] : status_by_address(first)) before[address] = p.vp_calls_to(address);

  p.refresh(person);  // the operator's refresh starts the calls…
  std::this_thread::sleep_for(100ms);
  auto view = appointments_of(p, person, "?maxAge=0s&wait=5s");  // …and the query, 100 ms on, joins them
  for (const auto& [address, status] : status_by_address(view)) {
    CAPTURE(address);
    if (tak.at(address) != "granted") continue;
    CHECK(status == "DataFromSource");
    CHECK(p.vp_calls_to(address) - before[address] == 1);
  }
  CHECK(booking_ids(view) == visible_truth(p, person, false));
}

TEST_CASE("wait: a slow source does not hold the answer; it is marked and its data arrives for the next query") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  send_json(p.sim_address, "PUT", "/control/systems/*", R"({"latency":"fixed:700ms"})");
  const auto t0 = std::chrono::steady_clock::now();
  auto quick = appointments_of(p, person, "?wait=200ms");
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 650ms);  // the sources take 700 ms (the simulated VP gives up after 1 s)
  std::size_t waited_for = 0;
  for (const auto& s : quick.at("sources").as_array()) {
    if (str(s.at("status")) == "NotAuthorized") continue;  // never called, so never slow
    ++waited_for;
    CHECK(str(s.at("status")) == "NoDataSynchFailed");
    CHECK(str(s.at("lastError").at("text")).find("no answer within") != std::string::npos);
  }
  CHECK(waited_for > 0);
  CHECK(quick.at("appointments").as_array().empty());
  // The refresh went on: once it is stored, a cached answer holds everything.
  REQUIRE(eventually(
      [&] {
        auto later = appointments_of(p, person, "?wait=0s&maxAge=1h");
        auto st = status_by_address(later);
        return !st.empty() && std::all_of(st.begin(), st.end(), [](const auto& kv) {
                 return kv.second == "DataFromCache" || kv.second == "NotAuthorized";
               });
      },
      10s));
  CHECK(booking_ids(appointments_of(p, person, "?maxAge=1h")) == visible_truth(p, person, false));
}

TEST_CASE("a failing source: old data shown as DataFromCacheSynchFailed, none as NoDataSynchFailed") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  auto first = appointments_of(p, person);
  const auto truth = get_json(p.sim_address, "/control/persons/" + person + "/truth");
  const auto system = str(truth.at("bookings").as_array().at(0).at("system"));
  p.set_mode(system, "http500");
  auto second = appointments_of(p, person, "?maxAge=0s");
  bool saw_failed = false;
  for (const auto& s : second.at("sources").as_array()) {
    const auto status = str(s.at("status"));
    if (status == "DataFromCacheSynchFailed") {
      saw_failed = true;
      CHECK(s.as_object().contains("lastSuccessfulSynch"));
      CHECK(s.as_object().contains("lastUnsuccessfulSynch"));
      CHECK_FALSE(str(s.at("lastError").at("causingAgent")).empty());
    }
  }
  CHECK(saw_failed);
  // The failing system's bookings are still shown, from the cache.
  CHECK(booking_ids(second) == booking_ids(first));
}

TEST_CASE("the RIVTA SOAP endpoint answers as the national aggregating service, schema-valid") {
  Platform p({}, world_options(300, true));
  const SchemaSet schemas;
  const auto person = persons_with_bookings(p, 1, 2).at(0);
  auto r = post_soap(p, soap_request("5565594230", person));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.header("Content-Type").find("text/xml") == 0);
  auto valid = schemas.validate("schedule_agp", r.body);
  CHECK_MESSAGE(valid.valid, valid.output << "\n" << r.body);
  auto view = appointments_of(p, person, "?maxAge=1h");
  CHECK(count(r.body, "<ns2:timeslotDetail>") + count(r.body, "timeslotDetail>") / 2 > 0);
  CHECK(count(r.body, "bookingId>") / 2 == view.at("appointments").as_array().size());
  CHECK(count(r.body, "ProcessingStatusList>") / 2 == view.at("sources").as_array().size());
  // Deduplicated and in start order: the booking ids appear in the JSON's order.
  std::size_t pos = 0;
  for (const auto& a : view.at("appointments").as_array()) {
    const auto at = r.body.find(">" + str(a.at("bookingId")) + "<", pos);
    CHECK(at != std::string::npos);
    pos = at;
  }
  CHECK(r.body.find(person) != std::string::npos);  // subject_of_care, as the reference answers

  SUBCASE("bad requests get SOAP faults that say why") {
    auto wrong = post_soap(p, soap_request("SE2321000016-XXXX", person));
    CHECK(wrong.status == 500);
    CHECK(wrong.body.find("faultstring") != std::string::npos);
    CHECK(wrong.body.find("not served here") != std::string::npos);
    CHECK(schemas.validate("fault", wrong.body).valid);
    auto bad_person = post_soap(p, soap_request("5565594230", "191212121213"));
    CHECK(bad_person.status == 500);
    CHECK(bad_person.body.find("subject_of_care is not a valid personnummer") != std::string::npos);
    CHECK(bad_person.body.find("191212121213") == std::string::npos);
    auto garbage = post_soap(p, "<soap:Envelope><not closed");
    CHECK(garbage.status == 500);
    CHECK(garbage.body.find("could not be read") != std::string::npos);
  }
}

TEST_CASE("the calendar export parses with an independent iCalendar parser") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1, 2).at(0);
  auto view = appointments_of(p, person);
  auto r = http_get(p.daemon->query, "/v1/persons/" + person + "/appointments.ics");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type").find("text/calendar") == 0);
  const TempDir dir;
  write_file(dir.path() / "cal.ics", r.body);
  write_file(dir.path() / "read.py", R"(import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    print(str(ev['UID']), ev.decoded('DTSTART').isoformat())
)");
  auto out = run({"/usr/bin/python3", (dir.path() / "read.py").string(), (dir.path() / "cal.ics").string()});
  REQUIRE_MESSAGE(out.status == 0, out.output);
  std::set<std::string> uids;
  std::istringstream lines(out.output);
  for (std::string line; std::getline(lines, line);) uids.insert(line.substr(0, line.find('@')));
  std::set<std::string> ids;
  for (const auto& a : view.at("appointments").as_array()) ids.insert(str(a.at("id")));
  CHECK(uids == ids);
}

TEST_CASE("legacy relations: PUT replaces, GET reads, and the related clinics are asked") {
  Platform p({}, world_options(300));
  const auto clinic = p.clinic_with_tak("granted");
  const auto forbidden = p.clinic_with_tak("missing");
  REQUIRE_FALSE(forbidden.empty());
  const auto person = p.persons(5).at(4);
  const auto target = "/v1/persons/" + person + "/relations";
  auto put = send_json(p.daemon->query, "PUT", target,
                       fmt::format(R"({{"logicalAddresses":["{}","{}"]}})", clinic, forbidden));
  CHECK(put.at("logicalAddresses").as_array().size() == 2);
  auto got = get_json(p.daemon->query, target);
  CHECK(got.at("logicalAddresses").as_array().size() == 2);
  auto view = appointments_of(p, person, "?maxAge=0s");
  auto st = status_by_address(view);
  CHECK(st[clinic] == "DataFromSource");
  CHECK(st[forbidden] == "NotAuthorized");
  CHECK(p.calls_to(forbidden) == 0);
  // The SOAP answer leaves out the address TAK forbids, as the reference does.
  auto soap = post_soap(p, soap_request("5565594230", person));
  CHECK(soap.body.find(forbidden) == std::string::npos);

  // Replacing with one relation drops the other.
  send_json(p.daemon->query, "PUT", target, fmt::format(R"({{"logicalAddresses":["{}"]}})", clinic));
  CHECK(get_json(p.daemon->query, target).at("logicalAddresses").as_array().size() == 1);

  auto bad = http_request(p.daemon->query, "PUT", target, R"({"logicalAddresses":["not an hsa id"]})");
  CHECK(bad.status == 400);
  CHECK(bad.header("Content-Type") == "application/problem+json");
  auto not_json = http_request(p.daemon->query, "PUT", target, "logicalAddresses=SE1");
  CHECK(not_json.status == 400);
}

TEST_CASE("bad input gets a clear 4xx, and no personnummer reaches the log") {
  Platform p({}, world_options(300));
  const auto person = persons_with_bookings(p, 1).at(0);
  appointments_of(p, person);

  auto checksum = http_get(p.daemon->query, "/v1/persons/191212121213/appointments");
  CHECK(checksum.status == 400);
  CHECK(checksum.header("Content-Type") == "application/problem+json");
  auto problem = json::parse(checksum.body).as_object();
  CHECK(problem.at("status").as_int64() == 400);
  CHECK(str(problem.at("detail")).find("check") != std::string::npos);
  CHECK(checksum.body.find("191212121213") == std::string::npos);
  CHECK(http_get(p.daemon->query, "/v1/persons/12345/appointments").status == 400);
  CHECK(http_get(p.daemon->query, "/v1/persons/" + person + "/appointments?maxAge=soon").status == 400);
  auto too_long = http_get(p.daemon->query, "/v1/persons/" + person + "/appointments?wait=1h");
  CHECK(too_long.status == 400);
  CHECK(too_long.body.find("at most") != std::string::npos);
  CHECK(http_get(p.daemon->query, "/v1/nothing").status == 404);
  auto method = http_request(p.daemon->query, "DELETE", "/v1/persons/" + person + "/appointments");
  CHECK(method.status == 405);
  CHECK(method.header("Allow").find("GET") != std::string::npos);
  auto big = http_request(p.daemon->query, "PUT", "/v1/persons/" + person + "/relations", std::string(2u << 20, 'x'));
  CHECK((big.status == 413 || big.status == 0));
  auto header = http_request(p.daemon->query, "GET", "/v1/persons/" + person + "/appointments", {},
                             {{"X-Big", std::string(40u << 10, 'h')}});
  CHECK((header.status == 431 || header.status == 0));

  // The scan every Platform runs on its daemon's log at the end finds what it must, and only that.
  CHECK(personnummer_in(R"({"msg":"x","person":"191212121212"})").size() == 1);
  CHECK(personnummer_in(R"({"person":"19121212-1212"} {"p":"121212-1212"})").size() == 2);
  CHECK(personnummer_in(R"({"person":"19121212-****","correlation_id":"ab-191212121212"})").empty());
  CHECK(personnummer_in(R"({"hsa":"SE2321000016-A2BF","booking":"2928113076945805"})").empty());

  // No log line holds a full personnummer, in any of its written forms.
  const auto log = p.daemon->log();
  CHECK(log.find(person) == std::string::npos);
  CHECK(log.find(person.substr(2)) == std::string::npos);
  CHECK(log.find(person.substr(0, 8) + "-" + person.substr(8)) == std::string::npos);
  CHECK(log.find("appointments served") != std::string::npos);
  CHECK(log.find("correlation_id") != std::string::npos);
}

TEST_CASE("the national platform's standard test persons get what the reference aggregating service gives") {
  // bokade-sim --agp-fixture plays the reference's test stub: producers HSA-ID-1..7, the persons and
  // engagements of ../shared/rivta/agp/agp-teststub/readme.md, and the stub's odd answers.
  PlatformOptions o = world_options(200);
  o.sim_args = {"--agp-fixture"};
  Platform p({}, o);
  const SchemaSet schemas;
  struct Expected {
    std::string person;
    std::size_t statuses, timeslots, errors;
  };
  // The soapUI project's assertions (TC1–TC6) and patients.csv's counts.
  const std::vector<Expected> cases{{"121212121212", 3, 3, 0}, {"188803099368", 0, 0, 0}, {"194911172296", 2, 1, 0},
                                    {"198611062384", 3, 3, 1}, {"192011189228", 1, 0, 1}, {"194804032094", 0, 0, 0}};
  for (const auto& c : cases) {
    CAPTURE(c.person);
    auto r = post_soap(p, soap_request("5565594230", c.person));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto valid = schemas.validate("schedule_agp", r.body);
    CHECK_MESSAGE(valid.valid, valid.output);
    CHECK(count(r.body, "ProcessingStatusList>") / 2 == c.statuses);
    CHECK(count(r.body, "timeslotDetail>") / 2 == c.timeslots);
    CHECK(count(r.body, "lastUnsuccessfulSynchError>") / 2 == c.errors);
    // In start order.
    std::vector<std::string> starts;
    const std::regex start_tag(R"(<(?:\w+:)?startTimeInclusive>(\d{14})<)");
    for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), start_tag); it != std::sregex_iterator(); ++it) {
      starts.push_back((*it)[1]);
    }
    CHECK(starts.size() == c.timeslots);
    CHECK(std::is_sorted(starts.begin(), starts.end()));
  }
  // The JSON view says more than the SOAP header may: the address TAK forbids is named.
  auto laban = appointments_of(p, "194804032094", "?maxAge=1h");
  CHECK(status_by_address(laban)["HSA-ID-7"] == "NotAuthorized");
  // Ulla's timed-out source, asked again, is out of sync with nothing to show.
  auto ulla = appointments_of(p, "198611062384", "?maxAge=1h");
  CHECK(status_by_address(ulla)["HSA-ID-3"] == "NoDataSynchFailed");
  CHECK(booking_ids(ulla) == std::set<std::string>{"1002", "1003", "1004"});
}
