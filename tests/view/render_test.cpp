// The renderers: the JSON body read back with boost::json field by field and checked against docs/api.yaml,
// and the calendar read back with an independent RFC 5545 parser (python3-icalendar).
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "bokade/core/person_id.hpp"
#include "bokade/view/ics.hpp"
#include "bokade/view/json.hpp"
#include "process.hpp"
#include "view_fixture.hpp"

using namespace bokade;
using namespace bokade::view;
using namespace bokade::view::test;
namespace json = boost::json;

namespace {

constexpr const char* python = "/usr/bin/python3";  // Debian's, where python3-icalendar and -jsonschema live
const std::filesystem::path source_dir = BOKADE_SOURCE_DIR;

PersonId tolvan() {
  auto p = PersonId::parse("191212121212");
  REQUIRE(p);
  return *p;
}

// Overloads for objects too: a json::object passed as a json::value would be copied into a temporary, and
// a reference into it would dangle.
const json::object& obj(const json::object& o, std::string_view key) { return o.at(key).as_object(); }
const json::object& obj(const json::value& v, std::string_view key) { return obj(v.as_object(), key); }
std::string str(const json::object& o, std::string_view key) { return std::string(o.at(key).as_string()); }
std::string str(const json::value& v, std::string_view key) { return str(v.as_object(), key); }
bool has(const json::value& v, std::string_view key) { return v.as_object().contains(key); }

// The person's view used by the JSON tests: a full booking, a sparse one in Skåne, a refused source and
// a clinic that answered with nothing.
PersonView sample_view() {
  Appointment full = appointment({"SE2321000016-A1B2", "Vårdcentralen Kungsholmen", "TC-1", now + 48h + 30min});
  full.rebooking_allowed = false;
  Appointment sparse;
  sparse.healthcare_facility = "SE2321000255-F7K2";
  sparse.healthcare_facility_name = "Vårdcentralen Centrum Lund";
  sparse.booking_id = "PMO-1";
  sparse.start = now + 23h;  // no end, no performer, no purpose
  sparse.time_type_name = "Telefontid";
  sparse.is_invitation = true;
  sparse.cancel_booking_allowed = true;
  sparse.rebooking_allowed = true;
  SourceInput stockholm = source("SE2321000016-A1B2", {full}, ProcessingStatusCode::DataFromCache, "TakeCare", now - 2min);
  SourceInput skane = source("SE2321000255-F7K2", {sparse}, ProcessingStatusCode::DataFromSource, "PMO", now);
  SourceInput refused = failed_source("SE2321000016-B7K9", {}, Outcome::not_authorized, "VP007",
                                      "VP007 Authorization missing", "virtualization_platform");
  SourceInput empty = source("SE2321000016-M2M2", {}, ProcessingStatusCode::DataFromSource);
  return build_view({stockholm, skane, refused, empty}, default_config(), now);
}

}  // namespace

TEST_CASE("the JSON body, read back field by field") {
  const PersonView v = sample_view();
  const std::string body = to_json(v, tolvan());
  INFO(body);
  CHECK(body.find("191212121212") == std::string::npos);  // the personnummer never leaves in a response
  const json::value doc = json::parse(body);

  CHECK(str(doc, "person") == "19121212-****");
  CHECK(str(doc, "generated") == "2026-11-23T09:00:00+01:00");

  const auto& appointments = doc.at("appointments").as_array();
  REQUIRE(appointments.size() == 2);

  // Sorted by start: the Skåne telephone slot tomorrow comes first.
  const json::value& sparse = appointments[0];
  CHECK(str(sparse, "id") == v.appointments[0].id);
  CHECK(str(sparse, "bookingId") == "PMO-1");
  CHECK(str(sparse, "start") == "2026-11-24T08:00:00+01:00");
  CHECK_FALSE(has(sparse, "end"));
  CHECK(str(obj(sparse, "clinic"), "hsaId") == "SE2321000255-F7K2");
  CHECK(str(obj(sparse, "clinic"), "name") == "Vårdcentralen Centrum Lund");
  // Absent strings are left out, and objects with nothing in them too.
  for (const char* absent : {"performer", "careType", "purpose", "reason", "resource"}) {
    CAPTURE(absent);
    CHECK_FALSE(has(sparse, absent));
  }
  CHECK(obj(sparse, "timeType") == json::object{{"name", "Telefontid"}});
  CHECK(sparse.at("invitation") == true);
  CHECK(sparse.at("messageAllowed") == false);
  const auto& sparse_cancel = obj(obj(sparse, "actions"), "cancel");
  CHECK(sparse_cancel.at("allowed") == false);
  CHECK(sparse_cancel.at("reason") == "not within 24 h of the start");
  CHECK(sparse_cancel.at("logicalAddress") == "SE2321000255-F7K2");
  CHECK(str(sparse, "region") == "Region Skåne");
  CHECK(str(sparse, "bookingSystem") == "PMO");

  const json::value& full = appointments[1];
  CHECK(str(full, "bookingId") == "TC-1");
  CHECK(str(full, "start") == "2026-11-25T09:30:00+01:00");
  CHECK(str(full, "end") == "2026-11-25T10:00:00+01:00");
  CHECK(obj(full, "clinic") == json::object{{"hsaId", "SE2321000016-A1B2"}, {"name", "Vårdcentralen Kungsholmen"}});
  CHECK(obj(full, "performer") ==
        json::object{{"hsaId", "SE2321000016-1003"}, {"name", "Anna Lindqvist, distriktssköterska"}});
  CHECK(obj(full, "timeType") == json::object{{"id", "BES"}, {"name", "Besök"}});
  CHECK(obj(full, "careType") == json::object{{"id", "OPPV"}, {"name", "Öppenvård"}});
  CHECK(str(full, "purpose") == "Uppföljning");
  CHECK(str(full, "reason") == "Blodtryckskontroll");
  CHECK(obj(full, "resource") == json::object{{"id", "R12"}, {"name", "Mottagningsrum 12"}});
  CHECK(full.at("invitation") == false);
  CHECK(full.at("messageAllowed") == true);
  const auto& actions = obj(full, "actions");
  CHECK(actions.at("cancel") == json::object{{"allowed", true}, {"logicalAddress", "SE2321000016-A1B2"}});
  CHECK(actions.at("rebook") == json::object{{"allowed", false},
                                             {"reason", "the booking system does not allow it"},
                                             {"logicalAddress", "SE2321000016-A1B2"}});
  CHECK(str(full, "region") == "Region Stockholm");
  CHECK(str(full, "bookingSystem") == "TakeCare");

  const auto& sources = doc.at("sources").as_array();
  REQUIRE(sources.size() == 4);
  CHECK(str(sources[0], "logicalAddress") == "SE2321000016-A1B2");
  CHECK(str(sources[0], "name") == "Vårdcentralen Kungsholmen");
  CHECK(str(sources[0], "status") == "DataFromCache");
  CHECK(str(sources[0], "lastSuccessfulSynch") == "2026-11-23T08:58:00+01:00");
  CHECK_FALSE(has(sources[0], "lastUnsuccessfulSynch"));
  CHECK_FALSE(has(sources[0], "lastError"));
  CHECK(str(sources[1], "logicalAddress") == "SE2321000016-B7K9");
  CHECK_FALSE(has(sources[1], "name"));
  CHECK(str(sources[1], "status") == "NotAuthorized");
  CHECK_FALSE(has(sources[1], "lastSuccessfulSynch"));
  CHECK(str(sources[1], "lastUnsuccessfulSynch") == "2026-11-23T08:59:50+01:00");
  CHECK(obj(sources[1], "lastError") == json::object{{"code", "VP007"},
                                                     {"text", "VP007 Authorization missing"},
                                                     {"causingAgent", "virtualization_platform"}});
  CHECK(str(sources[2], "logicalAddress") == "SE2321000016-M2M2");
  CHECK(str(sources[2], "status") == "DataFromSource");
  CHECK(str(sources[3], "logicalAddress") == "SE2321000255-F7K2");
  CHECK(str(sources[3], "name") == "Vårdcentralen Centrum Lund");

  CHECK(doc.at("clinicsWithoutAppointments") == json::array{json::object{{"hsaId", "SE2321000016-M2M2"}}});
}

TEST_CASE("the JSON body is what docs/api.yaml describes, property for property") {
  const bokade::test::TempDir dir;
  const auto body_file = dir.path() / "body.json";
  bokade::test::write_file(body_file, to_json(sample_view(), tolvan()));
  const auto r = bokade::test::run({python, (source_dir / "tests/view/check_openapi.py").string(),
                                    (source_dir / "docs/api.yaml").string(), "PersonAppointments", body_file.string()});
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.starts_with("ok:"));
}

TEST_CASE("malformed UTF-8 from a producer still gives valid JSON") {
  Appointment a = appointment({"SE2321000016-A1B2", "V\xE5rdcentralen \xC3", "TC-BAD", now + 30h});
  const PersonView v = build_view({source("SE2321000016-A1B2", {a})}, default_config(), now);
  const std::string body = to_json(v, tolvan());
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  REQUIRE_FALSE(ec);
  CHECK(doc.at("appointments").at(0).at("clinic").at("name") == "V\xEF\xBF\xBDrdcentralen \xEF\xBF\xBD");
}

TEST_CASE("ics_escape_text and ics_fold_line follow RFC 5545") {
  CHECK(ics_escape_text("a\\b;c,d\ne\r\nf\x01g\th") == "a\\\\b\\;c\\,d\\ne\\nfg\th");

  // 100 "ä" (two octets each) after a property name: no physical line over 75 octets, no character split,
  // and unfolding gives the line back.
  std::string line = "SUMMARY:";
  for (int i = 0; i < 100; ++i) line += "ä";
  const std::string folded = ics_fold_line(line);
  std::string unfolded;
  std::size_t pos = 0;
  std::size_t physical = 0;
  while (true) {
    const auto crlf = folded.find("\r\n", pos);
    const std::string part = folded.substr(pos, crlf == std::string::npos ? std::string::npos : crlf - pos);
    CHECK(part.size() <= 75);
    if (physical > 0) {
      REQUIRE(part.starts_with(" "));
      CHECK((static_cast<unsigned char>(part[1]) & 0xC0U) != 0x80U);  // never starts inside a character
    }
    unfolded += physical > 0 ? part.substr(1) : part;
    ++physical;
    if (crlf == std::string::npos) break;
    pos = crlf + 2;
  }
  CHECK(unfolded == line);
  CHECK(physical == 3);  // 208 octets: 75 (one ä backed off to 74) + 74 + the rest
  CHECK(ics_fold_line("DTSTART:20261124T073000Z") == "DTSTART:20261124T073000Z");

  // An escape that a cut at 75 octets would split moves to the next line whole; an escaped backslash
  // followed by a plain character does not.
  const std::string escape_at_limit = "SUMMARY:" + std::string(66, 'a') + "\\,b";
  CHECK(ics_fold_line(escape_at_limit) == "SUMMARY:" + std::string(66, 'a') + "\r\n \\,b");
  const std::string escaped_backslash = "SUMMARY:" + std::string(65, 'a') + "\\\\b";
  CHECK(ics_fold_line(escaped_backslash) == "SUMMARY:" + std::string(65, 'a') + "\\\\\r\n b");
}

TEST_CASE("the calendar, read back by an independent parser (python3-icalendar)") {
  const std::string long_name =
      "Barn- och ungdomsmedicinska mottagningen Östra Göinge, Hässleholms sjukhusområde – "
      "Allergi- och astmamottagningen för små och större barn";
  const std::string tricky_name = "Vårdcentralen Ängelholm; Hälsan, norra \\ avdelning";
  Appointment long_one = appointment({"SE2321000255-H4H4", long_name, "PMO-LONG", now + 48h});
  Appointment tricky = appointment({"SE2321000255-J5J5", tricky_name, "PMO-TRICKY", now + 72h});
  tricky.purpose = "Rad ett\nRad två";
  Appointment no_end = appointment({"SE2321000016-A1B2", "Vårdcentralen Kungsholmen", "TC-NOEND", now + 26h});
  no_end.end.reset();
  no_end.performer_name.clear();
  no_end.reason.clear();
  Appointment no_start = appointment({"SE2321000016-A1B2", "Vårdcentralen Kungsholmen", "TC-NOSTART", std::nullopt});
  const PersonView v = build_view({source("SE2321000255-H4H4", {long_one}, ProcessingStatusCode::DataFromSource, "PMO"),
                                   source("SE2321000255-J5J5", {tricky}, ProcessingStatusCode::DataFromSource, "PMO"),
                                   source("SE2321000016-A1B2", {no_end, no_start})},
                                  default_config(), now);
  REQUIRE(v.appointments.size() == 4);
  const std::string ics = to_ics(v, "bokade.example.se");
  INFO(ics);

  // What RFC 5545 asks of the text itself: CRLF only, at most 75 octets per physical line.
  CHECK(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  CHECK(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
  std::size_t folds = 0, events = 0, pos = 0;
  while (pos < ics.size()) {
    const auto crlf = ics.find("\r\n", pos);
    REQUIRE(crlf != std::string::npos);
    const std::string line = ics.substr(pos, crlf - pos);
    CHECK(line.find('\n') == std::string::npos);  // no bare line feed
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.size() <= 75);
    // No line ends inside an escape ("\," split from its backslash): an odd run of trailing backslashes.
    const auto last_other = line.find_last_not_of('\\');
    CHECK((line.size() - (last_other == std::string::npos ? 0 : last_other + 1)) % 2 == 0);
    folds += line.starts_with(" ");
    events += line == "BEGIN:VEVENT";
    pos = crlf + 2;
  }
  CHECK(events == 3);  // the appointment without a start has no place in a calendar
  CHECK(folds >= 3);   // the long name in SUMMARY and LOCATION, and descriptions

  const bokade::test::TempDir dir;
  bokade::test::write_file(dir.path() / "cal.ics", ics);
  const auto r = bokade::test::run({python, (source_dir / "tests/view/ics_dump.py").string(),
                                    (dir.path() / "cal.ics").string(), (dir.path() / "cal.json").string()});
  INFO(r.output);
  REQUIRE(r.status == 0);
  const json::value parsed = json::parse(bokade::test::read_file(dir.path() / "cal.json"));

  CHECK(obj(parsed, "calendar") == json::object{{"VERSION", "2.0"},
                                                {"PRODID", "-//bokade//Bokade tider//SV"},
                                                {"CALSCALE", "GREGORIAN"},
                                                {"METHOD", "PUBLISH"},
                                                {"X-WR-CALNAME", "Bokade tider"}});
  const auto& parsed_events = parsed.at("events").as_array();
  REQUIRE(parsed_events.size() == 3);
  // The events come in the view's order; each is found by its UID.
  for (std::size_t i = 0; i < 3; ++i) {
    const AppointmentView& a = v.appointments[i];
    const json::value& e = parsed_events[i];
    CAPTURE(a.appointment.booking_id);
    CHECK(str(e, "uid") == a.id + "@bokade.example.se");
    CHECK(str(e, "dtstamp") == format_iso_utc(now));
    CHECK(str(e, "dtstart") == format_iso_utc(*a.appointment.start));
    CHECK(str(e, "summary") == "Besök – " + a.clinic.name);
    CHECK(str(e, "location") == a.clinic.name);
    CHECK(str(e, "status") == "CONFIRMED");
  }
  const json::value& first = parsed_events[0];  // TC-NOEND, 26 h ahead
  CHECK(str(first, "dtstart") == "2026-11-24T10:00:00Z");
  CHECK(str(first, "dtend") == "2026-11-24T10:30:00Z");  // no end: start + 30 min
  CHECK(str(first, "description") == "Syfte: Uppföljning");
  const json::value& second = parsed_events[1];  // the long Swedish name, folded and read back whole
  CHECK(str(second, "summary") == "Besök – " + long_name);
  CHECK(str(second, "dtend") == "2026-11-25T08:30:00Z");
  CHECK(str(second, "description") ==
        "Syfte: Uppföljning\nBesöksorsak: Blodtryckskontroll\nVårdpersonal: Anna Lindqvist, distriktssköterska");
  const json::value& third = parsed_events[2];  // ';', ',' and '\' escaped and read back as they were
  CHECK(str(third, "location") == tricky_name);
  CHECK(str(third, "description").starts_with("Syfte: Rad ett\nRad två\nBesöksorsak: "));
  // The escapes are really there in the text (a parser that ignores them would read the same).
  CHECK(ics.find("Ängelholm\\; Hälsan\\, norra \\\\ avdelning") != std::string::npos);
}

TEST_CASE("a calendar with no appointments is still a valid, empty calendar") {
  const PersonView v = build_view({source("SE2321000016-M2M2", {})}, default_config(), now);
  const std::string ics = to_ics(v, "");
  CHECK(ics ==
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bokade//Bokade tider//SV\r\nCALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\nX-WR-CALNAME:Bokade tider\r\nEND:VCALENDAR\r\n");
}
