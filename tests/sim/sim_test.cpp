// bokade-sim as a user of it sees it: a separate process on a free loopback port, checked through its
// endpoints — routing, schema-valid answers, ground truth against what the endpoints return, TAK,
// the control API, determinism.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bokade/core/person_id.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "schema_set.hpp"
#include "sim_process.hpp"

using namespace bokade;
using namespace bokade::sim::test;
namespace json = boost::json;

namespace {

const std::vector<std::string> small_world{"--seed", "42", "--persons", "3000", "--systems", "40", "--epoch", "2026-03-02"};

std::string str(const json::value& v) { return std::string(v.as_string()); }

std::set<std::string> ids_of(const std::vector<Appointment>& v) {
  std::set<std::string> s;
  for (const auto& a : v) s.insert(a.booking_id);
  return s;
}

// The first `n` persons with bookings.
std::vector<std::string> persons_with_bookings(Http& http, const SimProcess& sim, int n) {
  auto v = http.json("GET", sim.url("/control/persons?with_bookings=true&limit=" + std::to_string(n)));
  std::vector<std::string> ids;
  for (const auto& p : v.at("persons").as_array()) ids.push_back(str(p.at("id")));
  return ids;
}

std::string vp_url(const SimProcess& sim) { return sim.url("/vp/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21"); }

}  // namespace

TEST_CASE("--help documents every option") {
  const auto [out, rc] = run_command(sim_exe() + " --help");
  CHECK(rc == 0);
  for (const char* option :
       {"--listen", "--ready-file", "--threads", "--log-level", "--write-tak", "--write-relations", "--seed", "--persons",
        "--systems", "--clinics-per-system", "--mean-bookings", "--samordningsnummer-share", "--index-share",
        "--tak-share", "--epoch", "--consumer", "--default-consumer", "--ei-logical-address", "--ei-owner",
        "--vp-timeout", "--fault", "--latency", "--error-rate", "--oversized-bytes", "--drip-interval", "--drip-chunk",
        "--subscriber", "--subscriber-logical-address", "--ei-rate", "--ei-batch-size", "--ei-duplicates",
        "--ei-reorder", "--ei-phantom-deletes", "--ei-unchanged", "--ei-redeliver-delay", "--ei-timeout",
        "--ei-replay-on-start", "/control/", "/tak/export.json", "POST /vp/", "personnummer,logicalAddress"}) {
    CHECK_MESSAGE(out.find(option) != std::string::npos, option);
  }
  const auto [bad, bad_rc] = run_command(sim_exe() + " --fault nosuch=timeout 2>&1");
  CHECK(bad_rc == 2);
  CHECK(bad.find("nosuch") != std::string::npos);
}

TEST_CASE("the world has 21 regions with real organisation numbers, and the systems config/bokaded.toml names") {
  SimProcess sim(small_world);
  Http http;
  const auto world = http.json("GET", sim.url("/control/world"));
  const auto& regions = world.at("regions").as_array();
  REQUIRE(regions.size() == 21);
  std::map<std::string, std::string> org;
  for (const auto& r : regions) {
    org[str(r.at("name"))] = str(r.at("organisation_number"));
    CHECK(str(r.at("hsa_prefix")) == "SE" + str(r.at("organisation_number")));
  }
  CHECK(org["Region Stockholm"] == "2321000016");
  CHECK(org["Västra Götalandsregionen"] == "2321000131");
  CHECK(org["Region Skåne"] == "2321000255");
  CHECK(org["Region Östergötland"] == "2321000040");
  CHECK(org["Region Jönköpings län"] == "2321000057");
  std::map<std::string, std::string> product_of;
  for (const auto& s : world.at("systems").as_array()) product_of[str(s.at("id"))] = str(s.at("product"));
  CHECK(world.at("systems").as_array().size() == 40);
  CHECK(product_of["SE2321000016-A2BF"] == "TakeCare");
  CHECK(product_of["SE2321000057-4LPF"] == "Cosmic");
  CHECK(product_of["SE2321000131-S000000002253"] == "Melior");
  CHECK(product_of["SE2321000131-MILL1"] == "Millennium");
  CHECK(product_of["SE2321000255-PMO1"] == "PMO");
  std::size_t children = 0, confidential = 0, denied = 0;
  for (const auto& c : world.at("clinics").as_array()) {
    children += !c.at("care_unit").is_null();
    confidential += c.at("confidential").as_bool();
    denied += str(c.at("tak")) != "granted";
  }
  CHECK(children > 20);
  CHECK(confidential > 0);
  CHECK(denied > 0);

  // Persons: valid identities, some samordningsnummer.
  const auto persons = http.json("GET", sim.url("/control/persons?limit=2000"));
  std::size_t samordning = 0;
  for (const auto& p : persons.at("persons").as_array()) {
    const auto id = PersonId::parse(str(p.at("id")));
    REQUIRE_MESSAGE(id.has_value(), str(p.at("id")));
    samordning += id->kind() == PersonIdKind::samordningsnummer;
    CHECK((id->kind() == PersonIdKind::samordningsnummer) == (str(p.at("kind")) == "samordningsnummer"));
  }
  CHECK(samordning > 10);
  CHECK(samordning < 200);
}

TEST_CASE("same seed, same world; another seed, another world") {
  auto snapshot = [](const std::vector<std::string>& args) {
    SimProcess sim(args);
    Http http;
    auto world = http.json("GET", sim.url("/control/world"));
    for (auto& s : world.at("systems").as_array()) {  // ports differ between runs
      s.as_object().erase("port");
      s.as_object().erase("url");
    }
    std::string truths;
    for (const auto& id : persons_with_bookings(http, sim, 30)) {
      truths += json::serialize(http.json("GET", sim.url("/control/persons/" + id + "/truth")));
    }
    return json::serialize(world) + truths;
  };
  const std::string a = snapshot(small_world);
  const std::string b = snapshot(small_world);
  CHECK(a == b);
  auto other = small_world;
  other[1] = "43";
  CHECK(snapshot(other) != a);
}

TEST_CASE("VP answers every authorized address of a booking with it, schema-valid, as the ground truth says") {
  SimProcess sim(small_world);
  Http http;
  bokade::test::SchemaSet schemas;
  int validated = 0, parent_child = 0, checked_addresses = 0;
  for (const auto& id : persons_with_bookings(http, sim, 60)) {
    const auto truth = http.json("GET", sim.url("/control/persons/" + id + "/truth"));
    // What each address should answer: every booking that names it among its answering addresses.
    std::map<std::string, std::set<std::string>> expected;
    for (const auto& b : truth.at("bookings").as_array()) {
      for (const auto& la : b.at("answering_addresses").as_array()) expected[str(la)].insert(str(b.at("booking_id")));
    }
    for (const auto& b : truth.at("bookings").as_array()) {
      const auto& authorized = b.at("authorized_addresses").as_array();
      for (const auto& la : authorized) {
        auto r = http.request("POST", vp_url(sim), schedule_request(str(la), id));
        REQUIRE(r.has_value());
        REQUIRE_MESSAGE(r->status == 200, r->body);
        if (validated < 15) {
          const auto v = schemas.validate("schedule", r->body);
          CHECK_MESSAGE(v.valid, v.output);
          ++validated;
        }
        auto parsed = rivta::read_schedule_response(r->body);
        REQUIRE(parsed.has_value());
        CHECK(ids_of(parsed->appointments) == expected[str(la)]);
        for (const auto& a : parsed->appointments) {
          CHECK(a.subject_of_care == id);
          if (a.booking_id == str(b.at("booking_id"))) {
            CHECK(a.healthcare_facility == str(b.at("clinic")));  // the sub-clinic, also when asked via the unit
            CHECK(format_rivta_time(*a.start) == str(b.at("start")));
            CHECK(a.time_type_name == str(b.at("time_type")));
          }
        }
        ++checked_addresses;
      }
      if (authorized.size() == 2) ++parent_child;
    }
  }
  CHECK(checked_addresses > 40);
  CHECK(parent_child > 0);  // a care unit and its sub-clinic both returned the same booking
}

TEST_CASE("FindContent through VP returns exactly the indexed bookings; hidden and confidential ones exist") {
  SimProcess sim(small_world);
  Http http;
  bokade::test::SchemaSet schemas;
  std::size_t bookings = 0, indexed = 0, hidden = 0, confidential = 0, invitations = 0;
  int validated = 0;
  for (const auto& id : persons_with_bookings(http, sim, 400)) {
    const auto truth = http.json("GET", sim.url("/control/persons/" + id + "/truth"));
    std::set<std::pair<std::string, std::string>> expected;  // (logical address, booking id)
    for (const auto& b : truth.at("bookings").as_array()) {
      ++bookings;
      hidden += b.at("hidden").as_bool();
      confidential += b.at("confidential").as_bool();
      invitations += b.at("invitation").as_bool();
      if (b.at("indexed").as_bool()) {
        ++indexed;
        expected.emplace(str(b.at("engagement_logical_address")), str(b.at("booking_id")));
      }
    }
    auto r = http.request("POST", sim.url("/vp/itintegration/engagementindex/FindContent/1/rivtabp21"),
                          find_content_request("5565594230", id));
    REQUIRE(r.has_value());
    REQUIRE_MESSAGE(r->status == 200, r->body);
    if (validated < 10 && !expected.empty()) {
      const auto v = schemas.validate("find_content", r->body);
      CHECK_MESSAGE(v.valid, v.output);
      ++validated;
    }
    auto engagements = rivta::read_find_content_response(r->body);
    REQUIRE(engagements.has_value());
    std::set<std::pair<std::string, std::string>> got;
    for (const auto& e : *engagements) {
      got.emplace(e.key.logical_address, e.key.business_object_instance_identifier);
      CHECK(e.key.registered_resident_identification == id);
      CHECK(e.key.service_domain == "riv:crm:scheduling");
      CHECK(e.most_recent_content.has_value());
    }
    CHECK(got == expected);
  }
  CHECK(bookings > 300);
  CHECK(indexed < bookings);
  CHECK(indexed > bookings / 3);
  CHECK(hidden > 0);
  CHECK(confidential > 0);
  CHECK(invitations > 0);
}

TEST_CASE("VP004 for unknown addresses and VP007 where TAK forbids; neither reaches a booking system") {
  SimProcess sim(small_world);
  Http http;
  bokade::test::SchemaSet schemas;
  const std::string person = persons_with_bookings(http, sim, 1).at(0);

  auto r = http.request("POST", vp_url(sim), schedule_request("SE2321000016-NOSUCH", person));
  REQUIRE(r.has_value());
  CHECK(r->status == 500);
  CHECK(schemas.validate("fault", r->body).valid);
  auto fault = rivta::read_fault(r->body);
  REQUIRE(fault.has_value());
  CHECK(fault->classification.code == "VP004");
  CHECK(fault->classification.outcome == Outcome::no_route);
  CHECK(fault->faultstring.find("No Logical Adress found") != std::string::npos);

  const auto world = http.json("GET", sim.url("/control/world"));
  std::string forbidden, allowed;
  for (const auto& c : world.at("clinics").as_array()) {
    if (str(c.at("tak")) != "granted" && forbidden.empty()) forbidden = str(c.at("hsa_id"));
    if (str(c.at("tak")) == "granted" && allowed.empty()) allowed = str(c.at("hsa_id"));
  }
  REQUIRE(!forbidden.empty());
  http.json("POST", sim.url("/control/calls/reset"));
  r = http.request("POST", vp_url(sim), schedule_request(forbidden, person));
  REQUIRE(r.has_value());
  fault = rivta::read_fault(r->body);
  REQUIRE(fault.has_value());
  CHECK(fault->classification.code == "VP007");
  CHECK(fault->classification.outcome == Outcome::not_authorized);
  CHECK(fault->faultstring.find("senderId: SE5565594230-BOKADE") != std::string::npos);

  // Another consumer is refused even where ours is allowed.
  r = http.request("POST", vp_url(sim), schedule_request(allowed, person),
                   {{"Content-Type", "text/xml"}, {"x-rivta-original-serviceconsumer-hsaid", "SE0000000000-OTHER"}});
  REQUIRE(r.has_value());
  fault = rivta::read_fault(r->body);
  REQUIRE(fault.has_value());
  CHECK(fault->classification.code == "VP007");

  const auto calls = http.json("GET", sim.url("/control/calls/" + forbidden));
  CHECK(calls.at("vp").as_int64() == 1);
  CHECK(calls.at("denied").as_int64() == 1);
  CHECK(calls.at("producer").as_int64() == 0);
  const auto other = http.json("GET", sim.url("/control/calls/" + allowed));
  CHECK(other.at("producer").as_int64() == 0);

  // FindContent to another address than the index's: VP004.
  r = http.request("POST", sim.url("/vp/x"), find_content_request("SE2321000016-NOSUCH", person));
  REQUIRE(r.has_value());
  fault = rivta::read_fault(r->body);
  REQUIRE(fault.has_value());
  CHECK(fault->classification.code == "VP004");
}

TEST_CASE("the TAK export is the real format, grants what VP grants, and routes to each system's own listener") {
  const std::string tak_file = temp_path("tak.json");
  const std::string relations_file = temp_path("relations.csv");
  auto args = small_world;
  args.insert(args.end(), {"--write-tak", tak_file, "--write-relations", relations_file});
  SimProcess sim(args);
  Http http;
  const auto tak = http.json("GET", sim.url("/tak/export.json"));
  CHECK(str(tak.at("formatVersion")) == "1");
  const auto& data = tak.at("data").as_object();
  for (const char* key : {"rivtaprofil", "tjanstekontrakt", "logiskadress", "tjanstekomponent", "anropsadress",
                          "anropsbehorighet", "vagval"}) {
    CHECK_MESSAGE(data.contains(key), key);
  }
  std::map<std::int64_t, std::string> la_by_id, url_by_id, comp_by_id;
  for (const auto& l : data.at("logiskadress").as_array()) la_by_id[l.at("id").as_int64()] = str(l.at("hsaId"));
  for (const auto& a : data.at("anropsadress").as_array()) url_by_id[a.at("id").as_int64()] = str(a.at("adress"));
  for (const auto& c : data.at("tjanstekomponent").as_array()) comp_by_id[c.at("id").as_int64()] = str(c.at("hsaId"));
  const auto world = http.json("GET", sim.url("/control/world"));
  std::map<std::string, std::string> tak_state, system_of;
  for (const auto& c : world.at("clinics").as_array()) {
    tak_state[str(c.at("hsa_id"))] = str(c.at("tak"));
    system_of[str(c.at("hsa_id"))] = str(c.at("system"));
  }
  const std::string now = "2026";  // granted windows run 2020 → 2113
  std::map<std::string, int> granted_now;
  for (const auto& p : data.at("anropsbehorighet").as_array()) {
    const auto& rel = p.at("relationships");
    const std::string la = la_by_id[rel.at("logiskAdress").as_int64()];
    if (comp_by_id[rel.at("tjanstekomponent").as_int64()] != "SE5565594230-BOKADE" || !tak_state.contains(la)) continue;
    const std::string from = str(p.at("fromTidpunkt")), to = str(p.at("tomTidpunkt"));
    const auto today = "2026-03-02T12:00:00+0100";
    if (from <= today && today <= to) ++granted_now[la];
  }
  for (const auto& [la, state] : tak_state) CHECK_MESSAGE((state == "granted") == (granted_now[la] == 1), la);

  // Every clinic is routed to the listener of its system, which answers like VP does.
  std::map<std::string, std::string> route;
  for (const auto& v : data.at("vagval").as_array()) {
    const auto& rel = v.at("relationships");
    route[la_by_id[rel.at("logiskadress").as_int64()]] = url_by_id[rel.at("anropsadress").as_int64()];
  }
  for (const auto& [la, sys] : system_of) CHECK(route[la].ends_with("/producer/" + sys));
  const std::string person = persons_with_bookings(http, sim, 1).at(0);
  const auto truth = http.json("GET", sim.url("/control/persons/" + person + "/truth"));
  const auto& booking = truth.at("bookings").as_array().at(0);
  const std::string la = str(booking.at("clinic"));
  auto direct = http.request("POST", route[la], schedule_request(la, person));
  REQUIRE(direct.has_value());
  CHECK(direct->status == 200);
  auto parsed = rivta::read_schedule_response(direct->body);
  REQUIRE(parsed.has_value());
  CHECK(ids_of(parsed->appointments).contains(str(booking.at("booking_id"))));

  // The files written at start-up.
  std::ifstream tak_in(tak_file);
  std::stringstream tak_text;
  tak_text << tak_in.rdbuf();
  CHECK(json::parse(tak_text.str()).at("data").at("vagval").as_array().size() == data.at("vagval").as_array().size());
  std::ifstream rel_in(relations_file);
  std::string line;
  std::getline(rel_in, line);
  CHECK(line == "personnummer,logicalAddress");
  std::set<std::string> relations_of_person;
  std::size_t lines = 0;
  while (std::getline(rel_in, line)) {
    ++lines;
    if (line.starts_with(person + ",")) relations_of_person.insert(line.substr(13));
  }
  std::set<std::string> expected;
  for (const auto& r : truth.at("relations").as_array()) expected.insert(str(r.at("logical_address")));
  CHECK(relations_of_person == expected);
  CHECK(lines > 1000);
  std::filesystem::remove(tak_file);
  std::filesystem::remove(relations_file);
}

TEST_CASE("book, reschedule and cancel through the control API change what the endpoints answer") {
  SimProcess sim(small_world);
  Http http;
  const std::string person = persons_with_bookings(http, sim, 1).at(0);
  const auto world = http.json("GET", sim.url("/control/world"));
  std::string clinic;
  for (const auto& c : world.at("clinics").as_array()) {
    if (str(c.at("tak")) == "granted" && c.at("care_unit").is_null()) {
      clinic = str(c.at("hsa_id"));
      break;
    }
  }
  const auto booked = http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
                                R"({"clinic":")" + clinic + R"(","start":"20260410093000","minutes":30,"time_type":"TEL","indexed":true})");
  const std::string booking_id = str(booked.at("booking_id"));
  auto ask = [&] {
    auto r = http.request("POST", vp_url(sim), schedule_request(clinic, person));
    REQUIRE(r.has_value());
    auto parsed = rivta::read_schedule_response(r->body);
    REQUIRE(parsed.has_value());
    return parsed->appointments;
  };
  auto found = ask();
  auto it = std::find_if(found.begin(), found.end(), [&](const Appointment& a) { return a.booking_id == booking_id; });
  REQUIRE(it != found.end());
  CHECK(format_rivta_time(*it->start) == "20260410093000");
  CHECK(it->time_type_name == "Telefontid");
  auto ei = http.request("POST", sim.url("/vp/ei"), find_content_request("5565594230", person));
  REQUIRE(ei.has_value());
  auto engagements = rivta::read_find_content_response(ei->body);
  REQUIRE(engagements.has_value());
  CHECK(std::any_of(engagements->begin(), engagements->end(),
                    [&](const Engagement& e) { return e.key.business_object_instance_identifier == booking_id; }));

  http.json("POST", sim.url("/control/persons/" + person + "/bookings/" + booking_id + "/reschedule"),
            R"({"start":"20260412140000"})");
  found = ask();
  it = std::find_if(found.begin(), found.end(), [&](const Appointment& a) { return a.booking_id == booking_id; });
  REQUIRE(it != found.end());
  CHECK(format_rivta_time(*it->start) == "20260412140000");
  CHECK(format_rivta_time(*it->end) == "20260412143000");

  http.json("DELETE", sim.url("/control/persons/" + person + "/bookings/" + booking_id));
  CHECK(ids_of(ask()).count(booking_id) == 0);
  const auto truth = http.json("GET", sim.url("/control/persons/" + person + "/truth"));
  for (const auto& b : truth.at("bookings").as_array()) CHECK(str(b.at("booking_id")) != booking_id);
  auto gone = http.request("DELETE", sim.url("/control/persons/" + person + "/bookings/" + booking_id));
  REQUIRE(gone.has_value());
  CHECK(gone->status == 404);
}

TEST_CASE("coverage per region and system adds up to the ground truth of every person") {
  auto args = small_world;
  args[3] = "400";
  args.insert(args.end(), {"--index-share", "Region Stockholm=0.95", "--index-share", "Västra Götalandsregionen=0.4"});
  SimProcess sim(args);
  Http http;
  std::uint64_t bookings = 0, indexed = 0, ei = 0, legacy = 0, both = 0;
  const auto persons = http.json("GET", sim.url("/control/persons?limit=400"));
  for (const auto& p : persons.at("persons").as_array()) {
    const auto truth = http.json("GET", sim.url("/control/persons/" + str(p.at("id")) + "/truth"));
    for (const auto& b : truth.at("bookings").as_array()) {
      ++bookings;
      indexed += b.at("indexed").as_bool();
      ei += b.at("ei_path").as_bool();
      legacy += b.at("legacy_path").as_bool();
      both += b.at("ei_path").as_bool() && b.at("legacy_path").as_bool();
    }
  }
  const auto coverage = http.json("GET", sim.url("/control/coverage"));
  const auto& total = coverage.at("total");
  CHECK(total.at("bookings").to_number<std::uint64_t>() == bookings);
  CHECK(total.at("indexed").to_number<std::uint64_t>() == indexed);
  CHECK(total.at("ei_path").to_number<std::uint64_t>() == ei);
  CHECK(total.at("legacy_path").to_number<std::uint64_t>() == legacy);
  CHECK(total.at("both").to_number<std::uint64_t>() == both);
  std::uint64_t sum = 0;
  for (const auto& r : coverage.at("regions").as_array()) sum += r.at("bookings").to_number<std::uint64_t>();
  CHECK(sum == bookings);
  for (const auto& r : coverage.at("regions").as_array()) {
    if (str(r.at("region")) == "Region Stockholm") CHECK(r.at("configured_index_share").as_double() == 0.95);
    if (str(r.at("region")) == "Västra Götalandsregionen") CHECK(r.at("configured_index_share").as_double() == 0.4);
  }
}

TEST_CASE("a million persons are ready in seconds") {
  const auto started = std::chrono::steady_clock::now();
  SimProcess sim({"--persons", "1000000", "--seed", "7"});
  const auto ready = std::chrono::steady_clock::now() - started;
  CHECK(ready < std::chrono::seconds(5));
  Http http;
  const auto persons = http.json("GET", sim.url("/control/persons?offset=999990&limit=10"));
  REQUIRE(persons.at("persons").as_array().size() == 10);
  const std::string last = str(persons.at("persons").as_array().at(9).at("id"));
  const auto truth = http.json("GET", sim.url("/control/persons/" + last + "/truth"));
  CHECK(str(truth.at("person")) == last);
}
