// The AGP standard test persons (bokade-sim --agp-fixture) as the daemon meets them: bokade-sim runs as
// a separate process on a free loopback port and is called through VP, EI and TAK the way bokaded
// calls them. What the simulator must give is read from the reference's own test data in
// ../shared/rivta/agp (the test stub's engagement table, the soapUI project's assertions,
// patients.csv), not from the fixture's code.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "agp_fixture.hpp"
#include "bokade/net/http_server.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "person.hpp"
#include "schema_set.hpp"
#include "sim_process.hpp"
#include "subscriber.hpp"

using namespace bokade;
using namespace bokade::sim::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::string consumer = "SE5565594230-BOKADE";
const std::vector<std::string> world_args{"--seed",    "42", "--persons", "2000",
                                          "--systems", "20", "--epoch",   "2026-03-02"};
const std::string epoch_day = "20260302";

std::vector<std::string> with_fixture(std::vector<std::string> args, std::string_view vp_timeout = "300ms") {
  args.insert(args.end(), {"--agp-fixture", "--vp-timeout", std::string(vp_timeout)});
  return args;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const fs::path agp_dir = fs::path(BOKADE_SHARED_DIR) / "rivta" / "agp";

// (logical address, bookingId) pairs.
using Engagements = std::set<std::pair<std::string, std::string>>;

// The engagements the AGP test stub generates, from its readme's table:
// | HSA-ID-4  | 121212121212 | 1002 | TC1 |
std::map<std::string, Engagements> stub_engagements() {
  std::map<std::string, Engagements> out;
  std::istringstream in(read_text(agp_dir / "agp-teststub" / "readme.md"));
  const std::regex row(R"(^\|\s*(HSA-ID-\d+)\s*\|\s*(\d{12})\s*\|\s*(\d+)\s*\|\s*TC\d\s*\|\s*$)");
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, row)) out[m[2]].emplace(m[1], m[3]);
  }
  return out;
}

// patients.csv: personnummer → the number of timeslots AGP answers.
std::map<std::string, int> patients_csv() {
  std::map<std::string, int> out;
  std::istringstream in(read_text(agp_dir / "patients.csv"));
  std::string line;
  std::getline(in, line);  // status,patientid,count,name
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string status, id, count;
    std::getline(fields, status, ',');
    std::getline(fields, id, ',');
    std::getline(fields, count, ',');
    if (!id.empty()) out[id] = std::stoi(count);
  }
  return out;
}

struct Reference {
  std::string test_case;
  int processing_status = 0;
  int timeslots = 0;
  int errors = 0;  // lastUnsuccessfulSynchError; 0 where the project does not assert it
};

// The soapUI project's test cases: the person each asks for and its XPath count assertions.
std::map<std::string, Reference> soapui_references() {
  const std::string project =
      read_text(agp_dir / "scheduling" / "GetAggregatedSubjectOfCareSchedule-soapui-project.xml");
  std::map<std::string, Reference> out;
  const std::regex name(R"re(\bname="(TC\d+))re");
  const std::regex subject(R"(subject_of_care>(\d{12})<)");
  const std::regex assertion(R"(<path>count\(([^<]*)\)</path><content>(\d+)</content>)");
  std::size_t pos = 0;
  while ((pos = project.find("<con:testCase ", pos)) != std::string::npos) {
    const std::size_t end = std::min(project.find("</con:testCase>", pos), project.size());
    const std::string tc = project.substr(pos + 14, end - pos - 14);
    pos = end;
    const std::string open_tag = tc.substr(0, tc.find('>'));
    std::smatch n, s;
    if (!std::regex_search(open_tag, n, name) || !std::regex_search(tc, s, subject)) continue;
    Reference r;
    r.test_case = n[1];
    for (std::sregex_iterator it(tc.begin(), tc.end(), assertion), last; it != last; ++it) {
      const std::string path = (*it)[1];
      const int value = std::stoi((*it)[2]);
      if (path.find("ProcessingStatusList") != std::string::npos) r.processing_status = value;
      else if (path.find("lastUnsuccessfulSynchError") != std::string::npos) r.errors = value;
      else if (path.find("timeslotDetail") != std::string::npos) r.timeslots = value;
    }
    out[s[1]] = r;  // the project holds its test suite twice, alike
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> soap_headers() {
  return {{"Content-Type", "text/xml; charset=UTF-8"}, {"x-rivta-original-serviceconsumer-hsaid", consumer}};
}

net::ClientResult schedule(Http& http, const SimProcess& sim, std::string_view la, std::string_view person,
                           std::chrono::milliseconds timeout = 5s) {
  return http.request("POST", sim.url("/vp/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21"),
                      schedule_request(la, person), soap_headers(), timeout);
}

net::ClientResult find_content_raw(Http& http, const SimProcess& sim, std::string_view person) {
  return http.request("POST", sim.url("/vp/itintegration/engagementindex/FindContent/1/rivtabp21"),
                      find_content_request("5565594230", person), soap_headers());
}

std::vector<Engagement> find_content(Http& http, const SimProcess& sim, std::string_view person) {
  auto r = find_content_raw(http, sim, person);
  REQUIRE(r.has_value());
  REQUIRE_MESSAGE(r->status == 200, r->body);
  auto engagements = rivta::read_find_content_response(r->body);
  REQUIRE(engagements.has_value());
  return *engagements;
}

Engagements keys_of(const std::vector<Engagement>& v) {
  Engagements s;
  for (const auto& e : v) s.emplace(e.key.logical_address, e.key.business_object_instance_identifier);
  return s;
}

// The logical addresses TAK lets `consumer` call GetSubjectOfCareSchedule at, on the epoch day.
std::set<std::string> tak_permitted(const json::value& tak) {
  const auto& data = tak.at("data");
  std::map<std::int64_t, std::string> la, component, contract;
  for (const auto& l : data.at("logiskadress").as_array()) la[l.at("id").as_int64()] = str(l.at("hsaId"));
  for (const auto& c : data.at("tjanstekomponent").as_array()) component[c.at("id").as_int64()] = str(c.at("hsaId"));
  for (const auto& c : data.at("tjanstekontrakt").as_array()) contract[c.at("id").as_int64()] = str(c.at("namnrymd"));
  std::set<std::string> out;
  const std::string schedule_contract = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1";
  const std::string today = "2026-03-02T12:00:00+0100";
  for (const auto& p : data.at("anropsbehorighet").as_array()) {
    const auto& rel = p.at("relationships");
    if (component[rel.at("tjanstekomponent").as_int64()] != consumer) continue;
    if (contract[rel.at("tjanstekontrakt").as_int64()] != schedule_contract) continue;
    if (str(p.at("fromTidpunkt")) <= today && today <= str(p.at("tomTidpunkt"))) {
      out.insert(la[rel.at("logiskAdress").as_int64()]);
    }
  }
  return out;
}

std::set<std::string> fixture_addresses(const std::set<std::string>& all) {
  std::set<std::string> out;
  for (const auto& a : all) {
    if (a.starts_with("HSA-ID-")) out.insert(a);
  }
  return out;
}

}  // namespace

TEST_CASE("--help documents --agp-fixture and its test persons") {
  const auto [out, rc] = run_command(sim_exe() + " --help");
  CHECK(rc == 0);
  for (const char* text : {"--agp-fixture", "HSA-ID-1", "HSA-ID-7", "VP007", "VP009", "/control/agp", "121212121212",
                           "188803099368", "194911172296", "198611062384", "192011189228", "194804032094",
                           "194808069887"}) {
    CHECK_MESSAGE(out.find(text) != std::string::npos, text);
  }
}

TEST_CASE("FindContent through VP lists each test person's engagements as the AGP test stub registers them") {
  SimProcess sim(with_fixture(world_args));
  Http http;
  bokade::test::SchemaSet schemas;
  auto expected = stub_engagements();
  REQUIRE(expected.size() == 6);  // TC1, TC3–TC7; Agda (TC2) has none
  for (const auto& [id, count] : patients_csv()) expected.try_emplace(id);
  REQUIRE(expected.size() == 7);
  for (const auto& [person, engagements] : expected) {
    CAPTURE(person);
    auto raw = find_content_raw(http, sim, person);
    REQUIRE(raw.has_value());
    REQUIRE(raw->status == 200);
    const auto v = schemas.validate("find_content", raw->body);
    CHECK_MESSAGE(v.valid, v.output);
    const auto got = find_content(http, sim, person);
    CHECK(keys_of(got) == engagements);
    CHECK(got.size() == engagements.size());
    for (const auto& e : got) {
      CHECK(e.key.registered_resident_identification == person);
      CHECK(e.key.service_domain == "riv:crm:scheduling");
      CHECK(e.key.categorization == "NA");
      CHECK(e.key.source_system == e.key.logical_address);  // as the soapUI project registers them
      CHECK(e.key.clinical_process_interest_id == "NA");
      CHECK(!e.key.data_controller.empty());
      REQUIRE(e.most_recent_content.has_value());
      CHECK(format_rivta_time(*e.most_recent_content) > epoch_day);
    }
  }
}

TEST_CASE("GetSubjectOfCareSchedule through VP: bookings, the empty answer, the timeout, the SOAP fault, VP007") {
  SimProcess sim(with_fixture(world_args));
  Http http;
  bokade::test::SchemaSet schemas;
  const auto engagements = stub_engagements();
  const std::set<std::string> shown_types{"Besök",      "Nybesök",    "Återbesök",
                                          "Telefontid", "Videobesök", "Provtagning"};
  int answered = 0, empty = 0, timed_out = 0, faulted = 0, denied = 0;

  for (const auto& [person, rows] : engagements) {
    std::map<std::string, std::set<std::string>> by_address;
    for (const auto& [la, booking] : rows) by_address[la].insert(booking);
    for (const auto& [la, bookings] : by_address) {
      CAPTURE(person);
      CAPTURE(la);
      const auto started = std::chrono::steady_clock::now();
      auto r = schedule(http, sim, la, person);
      const auto took = std::chrono::steady_clock::now() - started;
      REQUIRE(r.has_value());
      if (la == "HSA-ID-7") {  // TC6, TC7: TAK has no permission
        CHECK(r->status == 500);
        CHECK(schemas.validate("fault", r->body).valid);
        auto f = rivta::read_fault(r->body);
        REQUIRE(f.has_value());
        CHECK(f->classification.code == "VP007");
        CHECK(f->classification.outcome == Outcome::not_authorized);
        ++denied;
      } else if (la == "HSA-ID-3" && person == "198611062384") {  // TC4: never answers
        CHECK(r->status == 500);
        CHECK(took >= 300ms);
        CHECK(took < 3s);
        CHECK(schemas.validate("fault", r->body).valid);
        auto f = rivta::read_fault(r->body);
        REQUIRE(f.has_value());
        CHECK(f->classification.code == "VP009");
        CHECK(f->classification.outcome == Outcome::timeout);
        ++timed_out;
      } else if (la == "HSA-ID-1" && person == "192011189228") {  // TC5: the producer throws
        CHECK(r->status == 500);
        const auto v = schemas.validate("fault", r->body);
        CHECK_MESSAGE(v.valid, v.output);
        auto f = rivta::read_fault(r->body);
        REQUIRE(f.has_value());
        CHECK(f->faultcode.find("Server") != std::string::npos);
        CHECK(f->classification.code.empty());  // the producer's own fault, not the platform's
        CHECK(f->classification.outcome == Outcome::soap_fault);
        CHECK(r->body.find(person) == std::string::npos);
        ++faulted;
      } else {
        REQUIRE_MESSAGE(r->status == 200, r->body);
        const auto v = schemas.validate("schedule", r->body);
        CHECK_MESSAGE(v.valid, v.output);
        auto parsed = rivta::read_schedule_response(r->body);
        REQUIRE(parsed.has_value());
        if (la == "HSA-ID-2" && person == "194911172296") {  // TC3: empty although EI lists 1001 here
          CHECK(parsed->appointments.empty());
          ++empty;
          continue;
        }
        std::set<std::string> got;
        for (const auto& a : parsed->appointments) {
          got.insert(a.booking_id);
          CHECK(a.healthcare_facility == la);
          CHECK(a.healthcare_facility_name == "AGP testmottagning " + la.substr(7));
          CHECK(a.subject_of_care == person);
          REQUIRE(a.start.has_value());
          REQUIRE(a.end.has_value());
          const std::string start = format_rivta_time(*a.start);
          CHECK(start.substr(0, 8) > epoch_day);
          CHECK(start.substr(8) == "093000");
          CHECK(*a.end - *a.start == 30min);
          CHECK(shown_types.contains(a.time_type_name));
          CHECK(!a.time_type_id.empty());
          CHECK(!a.care_type_name.empty());
          CHECK(!a.care_type_id.empty());
        }
        CHECK(got == bookings);
        ++answered;
      }
    }
  }
  CHECK(answered == 6);  // TC1 ×3, TC3 HSA-ID-1, TC4 HSA-ID-1 and HSA-ID-2 (1003 and 1004)
  CHECK(empty == 1);
  CHECK(timed_out == 1);
  CHECK(faulted == 1);
  CHECK(denied == 2);

  // The special answers are per person: the same systems answer everyone else normally.
  for (const auto& [la, person] : std::vector<std::pair<std::string, std::string>>{
           {"HSA-ID-3", "194911172296"}, {"HSA-ID-2", "192011189228"}, {"HSA-ID-1", "121212121212"}}) {
    auto r = schedule(http, sim, la, person);
    REQUIRE(r.has_value());
    CHECK_MESSAGE(r->status == 200, la << " " << r->body);  // not VP009, not a fault
    auto parsed = rivta::read_schedule_response(r->body);
    REQUIRE(parsed.has_value());
    CHECK(parsed->appointments.empty());  // they have no booking there
  }
  // VP refused HSA-ID-7 without calling the system.
  const auto calls = http.json("GET", sim.url("/control/calls/HSA-ID-7"));
  CHECK(calls.at("denied").as_int64() == 2);
  CHECK(calls.at("producer").as_int64() == 0);
  CHECK(http.json("GET", sim.url("/control/calls/HSA-ID-3")).at("producer").as_int64() == 2);
}

TEST_CASE("aggregating what the simulator gives, as AGP does, yields the soapUI project's counts and patients.csv's") {
  SimProcess sim(with_fixture(world_args));
  Http http;
  const auto references = soapui_references();
  REQUIRE(references.size() == 6);  // TC1–TC6
  const auto patients = patients_csv();
  const auto permitted = tak_permitted(http.json("GET", sim.url("/tak/export.json")));
  std::set<std::string> persons;
  for (const auto& [id, ref] : references) persons.insert(id);
  for (const auto& [id, count] : patients) persons.insert(id);
  REQUIRE(persons.size() == 6);
  for (const auto& person : persons) {
    CAPTURE(person);
    // AGP: EI's engagements → their logical addresses → those TAK permits → one call each.
    std::set<std::string> addresses;
    for (const auto& e : find_content(http, sim, person)) {
      if (permitted.contains(e.key.logical_address)) addresses.insert(e.key.logical_address);
    }
    int timeslots = 0, errors = 0;
    for (const auto& la : addresses) {
      auto r = schedule(http, sim, la, person);
      REQUIRE(r.has_value());
      auto parsed = rivta::read_schedule_response(r->body);
      if (r->status == 200 && parsed) timeslots += static_cast<int>(parsed->appointments.size());
      else ++errors;
    }
    if (references.contains(person)) {
      const auto& ref = references.at(person);
      CAPTURE(ref.test_case);
      CHECK(static_cast<int>(addresses.size()) == ref.processing_status);
      CHECK(timeslots == ref.timeslots);
      CHECK(errors == ref.errors);
    }
    if (patients.contains(person)) CHECK(timeslots == patients.at(person));
  }
  // TC7 is in neither file: one engagement at HSA-ID-7, which TAK does not permit.
  const auto tc7 = find_content(http, sim, "194808069887");
  REQUIRE(tc7.size() == 1);
  CHECK(!permitted.contains(tc7[0].key.logical_address));
}

TEST_CASE("TAK lets our consumer call HSA-ID-1..6 but not HSA-ID-7, and routes all seven to their own listeners") {
  SimProcess sim(with_fixture(world_args));
  Http http;
  const auto tak = http.json("GET", sim.url("/tak/export.json"));
  CHECK(fixture_addresses(tak_permitted(tak)) ==
        std::set<std::string>{"HSA-ID-1", "HSA-ID-2", "HSA-ID-3", "HSA-ID-4", "HSA-ID-5", "HSA-ID-6"});
  const auto& data = tak.at("data");
  std::map<std::int64_t, std::string> la_by_id, url_by_id;
  for (const auto& l : data.at("logiskadress").as_array()) la_by_id[l.at("id").as_int64()] = str(l.at("hsaId"));
  for (const auto& a : data.at("anropsadress").as_array()) url_by_id[a.at("id").as_int64()] = str(a.at("adress"));
  std::map<std::string, std::string> route;
  for (const auto& v : data.at("vagval").as_array()) {
    const auto& rel = v.at("relationships");
    route[la_by_id[rel.at("logiskadress").as_int64()]] = url_by_id[rel.at("anropsadress").as_int64()];
  }
  for (int n = 1; n <= 7; ++n) {
    const std::string la = "HSA-ID-" + std::to_string(n);
    CHECK_MESSAGE(route[la].ends_with("/producer/" + la), la);
  }
  // HSA-ID-7's own system has Laban's booking: only VP's TAK check keeps it from the consumer.
  auto direct = http.request("POST", route["HSA-ID-7"], schedule_request("HSA-ID-7", "194804032094"));
  REQUIRE(direct.has_value());
  REQUIRE(direct->status == 200);
  auto parsed = rivta::read_schedule_response(direct->body);
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->appointments.size() == 1);
  CHECK(parsed->appointments[0].booking_id == "6001");
}

TEST_CASE("the control API knows the test persons, and its ground truth agrees with what VP and EI answer") {
  SimProcess sim(with_fixture(world_args));
  Http http;
  const auto engagements = stub_engagements();
  const auto listed = http.json("GET", sim.url("/control/persons?offset=2000&limit=50"));
  CHECK(listed.at("total").as_int64() == 2007);
  std::map<std::string, std::string> test_case_of;
  for (const auto& p : listed.at("persons").as_array()) test_case_of[str(p.at("id"))] = str(p.at("agp_test_case"));
  CHECK(test_case_of == std::map<std::string, std::string>{{"121212121212", "TC1"}, {"188803099368", "TC2"},
                                                           {"194911172296", "TC3"}, {"198611062384", "TC4"},
                                                           {"192011189228", "TC5"}, {"194804032094", "TC6"},
                                                           {"194808069887", "TC7"}});
  for (const auto& [person, tc] : test_case_of) {
    CAPTURE(person);
    const auto truth = http.json("GET", sim.url("/control/persons/" + person + "/truth"));
    CHECK(str(truth.at("agp").at("test_case")) == tc);
    Engagements in_truth, on_ei_path;
    for (const auto& b : truth.at("bookings").as_array()) {
      const std::string la = str(b.at("clinic"));
      in_truth.emplace(la, str(b.at("booking_id")));
      CHECK(b.at("indexed").as_bool());
      CHECK(str(b.at("engagement_logical_address")) == la);
      CHECK(!b.at("legacy_path").as_bool());  // no relations: the legacy path does not know HSA-ID-n
      if (b.at("ei_path").as_bool()) on_ei_path.emplace(la, str(b.at("booking_id")));
      // Every address the truth says answers with the booking does.
      for (const auto& a : b.at("authorized_addresses").as_array()) {
        auto r = schedule(http, sim, str(a), person);
        REQUIRE(r.has_value());
        REQUIRE(r->status == 200);
        auto parsed = rivta::read_schedule_response(r->body);
        REQUIRE(parsed.has_value());
        CHECK(std::any_of(parsed->appointments.begin(), parsed->appointments.end(),
                          [&](const Appointment& x) { return x.booking_id == str(b.at("booking_id")); }));
      }
    }
    const auto it = engagements.find(person);
    CHECK(in_truth == (it == engagements.end() ? Engagements{} : it->second));
    // The EI path finds what a permitted address answers with: not TC3's HSA-ID-2, TC4's HSA-ID-3,
    // TC5's fault or anything at HSA-ID-7.
    for (const auto& [la, booking] : in_truth) {
      const bool special = (la == "HSA-ID-2" && person == "194911172296") ||
                           (la == "HSA-ID-3" && person == "198611062384") ||
                           (la == "HSA-ID-1" && person == "192011189228") || la == "HSA-ID-7";
      CHECK_MESSAGE(on_ei_path.contains({la, booking}) == !special, la << "/" << booking);
    }
  }
  const auto agp = http.json("GET", sim.url("/control/agp"));
  CHECK(agp.at("addresses").as_array().size() == 7);
  CHECK(agp.at("persons").as_array().size() == 7);

  // A booking made through the control API for a test person reaches EI and the producer alike.
  const auto booked = http.json("POST", sim.url("/control/persons/121212121212/bookings"),
                                R"({"clinic":"HSA-ID-4","start":"20260320101500","minutes":20,)"
                                R"("time_type":"TEL","indexed":true})");
  const std::string id = str(booked.at("booking_id"));
  CHECK(keys_of(find_content(http, sim, "121212121212")).contains({"HSA-ID-4", id}));
  auto r = schedule(http, sim, "HSA-ID-4", "121212121212");
  REQUIRE(r.has_value());
  auto parsed = rivta::read_schedule_response(r->body);
  REQUIRE(parsed.has_value());
  std::set<std::string> ids;
  for (const auto& a : parsed->appointments) ids.insert(a.booking_id);
  CHECK(ids == std::set<std::string>{"1002", id});
}

TEST_CASE("the EI push replay includes the test persons' engagements") {
  Subscriber subscriber;
  auto args = with_fixture({"--seed", "3", "--persons", "40", "--systems", "10", "--epoch", "2026-03-02"});
  args.insert(args.end(), {"--subscriber", subscriber.url(), "--ei-replay-on-start", "--ei-rate", "50",
                           "--ei-batch-size", "20"});
  SimProcess sim(args);
  Http http;
  const auto expected = stub_engagements();
  auto pushed = [&] {
    std::map<std::string, Engagements> out;
    for (const auto& t : subscriber.transactions()) {
      if (t.engagement.key.logical_address.starts_with("HSA-ID-")) {
        out[t.engagement.key.registered_resident_identification].emplace(
            t.engagement.key.logical_address, t.engagement.key.business_object_instance_identifier);
      }
    }
    return out;
  };
  CHECK(subscriber.wait_for([&](const auto&) { return pushed() == expected; }));
  // Pushed exactly as FindContent returns them.
  for (const auto& e : find_content(http, sim, "198611062384")) {
    const auto all = subscriber.transactions();
    CHECK(std::any_of(all.begin(), all.end(), [&](const rivta::EngagementTransaction& t) {
      return !t.delete_flag && t.engagement == e;
    }));
  }
  const auto stats = http.json("GET", sim.url("/control/ei/stats"));
  CHECK(stats.at("replay_remaining").as_int64() == 0);
}

TEST_CASE("the flag leaves the generated world as it is") {
  const std::string rel_plain = temp_path("relations-plain.csv");
  const std::string rel_agp = temp_path("relations-agp.csv");
  auto plain_args = world_args;
  plain_args.insert(plain_args.end(), {"--write-relations", rel_plain});
  auto agp_args = with_fixture(world_args);
  agp_args.insert(agp_args.end(), {"--write-relations", rel_agp});
  SimProcess plain(plain_args);
  SimProcess agp(agp_args);
  Http http;

  // The catalogue: the generated regions, systems and clinics come first and are the same.
  auto world_of = [&](const SimProcess& s) {
    auto w = http.json("GET", s.url("/control/world"));
    for (auto& sys : w.at("systems").as_array()) {  // ports differ between runs
      sys.as_object().erase("port");
      sys.as_object().erase("url");
    }
    return w;
  };
  const auto wp = world_of(plain), wa = world_of(agp);
  for (const char* key : {"regions", "systems", "clinics"}) {
    CAPTURE(key);
    const auto& p = wp.at(key).as_array();
    const auto& a = wa.at(key).as_array();
    REQUIRE(a.size() == p.size() + (std::string_view(key) == "regions" ? 1 : 7));
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(json::serialize(p[i]) == json::serialize(a[i]));
  }

  // The persons, their ground truth and what EI and VP answer for them.
  const auto pp = http.json("GET", plain.url("/control/persons?limit=2000"));
  const auto pa = http.json("GET", agp.url("/control/persons?limit=2000"));
  CHECK(json::serialize(pp.at("persons")) == json::serialize(pa.at("persons")));
  int compared = 0;
  for (const auto& p : pp.at("persons").as_array()) {
    if (p.at("bookings").as_int64() == 0 || compared >= 40) continue;
    ++compared;
    const std::string id = str(p.at("id"));
    const auto tp = http.json("GET", plain.url("/control/persons/" + id + "/truth"));
    const auto ta = http.json("GET", agp.url("/control/persons/" + id + "/truth"));
    CHECK(json::serialize(tp) == json::serialize(ta));
    auto fp = find_content_raw(http, plain, id), fa = find_content_raw(http, agp, id);
    REQUIRE(fp.has_value());
    REQUIRE(fa.has_value());
    CHECK(fp->body == fa->body);
    for (const auto& b : tp.at("bookings").as_array()) {
      for (const auto& la : b.at("authorized_addresses").as_array()) {
        auto sp = schedule(http, plain, str(la), id), sa = schedule(http, agp, str(la), id);
        REQUIRE(sp.has_value());
        REQUIRE(sa.has_value());
        CHECK(sp->body == sa->body);
      }
    }
  }
  CHECK(compared == 40);
  CHECK(read_text(rel_plain) == read_text(rel_agp));
  CHECK(read_text(rel_plain).find("HSA-ID-") == std::string::npos);

  // TAK: every generated clinic's rows are the same.
  auto clinic_rows = [&](const SimProcess& s) {
    const auto tak = http.json("GET", s.url("/tak/export.json"));
    std::set<std::string> permitted = tak_permitted(tak);
    std::map<std::string, bool> out;
    for (const auto& l : tak.at("data").at("logiskadress").as_array()) {
      const std::string la = str(l.at("hsaId"));
      if (!la.starts_with("HSA-ID-") && la != "5565594230") out[la] = permitted.contains(la);
    }
    return out;
  };
  CHECK(clinic_rows(plain) == clinic_rows(agp));
  fs::remove(rel_plain);
  fs::remove(rel_agp);
}

TEST_CASE("the generated world never issues the AGP test personnummer") {
  std::vector<std::uint64_t> reserved;
  for (const auto& p : bokade::sim::agp::test_persons()) reserved.push_back(std::stoull(std::string(p.id)));

  // Some seed gives a world person one of them as its computed identity; find one.
  constexpr std::size_t persons = 1'000'000;
  std::uint64_t seed = 1;
  while (bokade::sim::PersonCodec(seed, persons, 0.03).reassigned() == 0) {
    ++seed;
    REQUIRE(seed < 1000);
  }
  const bokade::sim::PersonCodec codec(seed, persons, 0.03);
  CAPTURE(seed);
  std::vector<std::uint64_t> ids;
  ids.reserve(persons);
  for (std::size_t i = 0; i < persons; ++i) {
    const std::string id = codec.id_of(i);
    ids.push_back(std::stoull(id));
    if (i % 97 == 0 || std::find(reserved.begin(), reserved.end(), ids.back()) != reserved.end()) {
      REQUIRE(codec.index_of(id) == i);
    }
  }
  for (const auto r : reserved) CHECK(std::find(ids.begin(), ids.end(), r) == ids.end());
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());  // still one identity per person
  for (const auto& p : bokade::sim::agp::test_persons()) CHECK(!codec.index_of(p.id).has_value());

  // Any seed, the largest world.
  for (std::uint64_t s = 1; s <= 300; ++s) {
    const bokade::sim::PersonCodec big(s, 30'000'000, 0.03);
    for (const auto& p : bokade::sim::agp::test_persons()) CHECK(!big.index_of(p.id).has_value());
  }

  // The running simulator: without the flag they are nobody, with it the test persons.
  const std::vector<std::string> args{"--seed", std::to_string(seed), "--persons", std::to_string(persons),
                                      "--systems", "10"};
  {
    SimProcess sim(args);
    Http http;
    for (const auto& p : bokade::sim::agp::test_persons()) {
      auto r = http.request("GET", sim.url("/control/persons/" + std::string(p.id) + "/truth"));
      REQUIRE(r.has_value());
      CHECK(r->status == 404);
      CHECK(find_content(http, sim, p.id).empty());
    }
  }
  SimProcess sim(with_fixture(args));
  Http http;
  for (const auto& p : bokade::sim::agp::test_persons()) {
    const auto truth = http.json("GET", sim.url("/control/persons/" + std::string(p.id) + "/truth"));
    CHECK(str(truth.at("agp").at("test_case")) == p.test_case);
  }
}
