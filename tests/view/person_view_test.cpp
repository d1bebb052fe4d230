// build_view: what a citizen sees of their slices — each booking once, through the right clinic, with the
// default config's display rules (config/bokaded.toml) applied.
#include <algorithm>

#include "process.hpp"
#include "view_fixture.hpp"

using namespace bokade;
using namespace bokade::view;
using namespace bokade::view::test;

namespace {

// A care unit in Region Stockholm and one of its sub-clinics, which the care unit's address also answers for.
constexpr const char* care_unit = "SE2321000016-A1B2";
constexpr const char* care_unit_name = "Vårdcentralen Kungsholmen";
constexpr const char* sub_clinic = "SE2321000016-C3D4";
constexpr const char* sub_clinic_name = "Vårdcentralen Kungsholmen, Diabetesmottagning";
// A clinic in Region Skåne, whose default rules forbid cancelling or rebooking within 24 h.
constexpr const char* skane_clinic = "SE2321000255-F7K2";
constexpr const char* skane_clinic_name = "Vårdcentralen Centrum Lund";

}  // namespace

TEST_CASE("a booking seen through a care unit and its sub-clinic is shown once, owned by the sub-clinic") {
  const auto config = default_config();
  // The care unit answers for its sub-clinic without naming it, and was asked more recently.
  Appointment via_unit = appointment({sub_clinic, "", "TC-20261124-0830", now + 24h + 30min});
  Appointment unit_own = appointment({care_unit, care_unit_name, "TC-20261125-1000", now + 2 * 24h + 1h});
  // The sub-clinic's own answer (its address spelt in lower case, as some producers do) has the booking
  // without a purpose; the care unit's copy has one.
  Appointment via_sub = appointment({sub_clinic, sub_clinic_name, "TC-20261124-0830", now + 24h + 30min});
  via_sub.purpose.clear();
  via_unit.healthcare_facility_name.clear();

  std::vector<SourceInput> inputs{
      source(care_unit, {via_unit, unit_own}, ProcessingStatusCode::DataFromSource, "TakeCare", now - 1min),
      source("se2321000016-c3d4", {via_sub}, ProcessingStatusCode::DataFromCache, "TakeCare", now - 2h),
  };
  const PersonView v = build_view(inputs, config, now);

  REQUIRE(v.appointments.size() == 2);
  const AppointmentView* b = find_booking(v, "TC-20261124-0830");
  REQUIRE(b != nullptr);
  // Owner: the slice whose address is the booking's own clinic, although the care unit's answer is newer.
  CHECK(b->owner == "se2321000016-c3d4");
  CHECK(b->cancel.logical_address == "se2321000016-c3d4");
  CHECK(b->rebook.logical_address == "se2321000016-c3d4");
  CHECK(b->clinic == Clinic{sub_clinic, sub_clinic_name});
  // The sub-clinic's copy lacked the purpose; the care unit's copy filled it.
  CHECK(b->appointment.purpose == "Uppföljning");
  CHECK(b->region == "Region Stockholm");
  CHECK(b->booking_system == "TakeCare");

  const AppointmentView* own = find_booking(v, "TC-20261125-1000");
  REQUIRE(own != nullptr);
  CHECK(own->owner == care_unit);
  CHECK(own->clinic == Clinic{care_unit, care_unit_name});

  // Both sources answered with something shown, so neither is a "clinic without appointments".
  CHECK(v.clinics_without_appointments.empty());
  REQUIRE(v.sources.size() == 2);
  CHECK(v.sources[0].logical_address == care_unit);
  CHECK(v.sources[0].name == care_unit_name);
  CHECK(v.sources[1].logical_address == "se2321000016-c3d4");
  CHECK(v.sources[1].name == sub_clinic_name);

  // The result does not depend on the order the slices came in.
  std::reverse(inputs.begin(), inputs.end());
  const PersonView reversed = build_view(inputs, config, now);
  REQUIRE(reversed.appointments.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(reversed.appointments[i].id == v.appointments[i].id);
    CHECK(reversed.appointments[i].owner == v.appointments[i].owner);
    CHECK(reversed.appointments[i].appointment == v.appointments[i].appointment);
  }
}

TEST_CASE("a sub-clinic without a name in any answer is shown with its care unit's name") {
  const auto config = default_config();
  const Appointment a = appointment({sub_clinic, "", "TC-1", now + 48h});
  const PersonView v = build_view({source(care_unit, {a, appointment({care_unit, care_unit_name, "TC-2", now + 72h})})},
                                  config, now);
  const AppointmentView* b = find_booking(v, "TC-1");
  REQUIRE(b != nullptr);
  CHECK(b->clinic == Clinic{sub_clinic, care_unit_name});
  CHECK(b->owner == care_unit);
}

TEST_CASE("of two copies from addresses that are not the clinic's own, the most recently successful owns it") {
  const auto config = default_config();
  const char* clinic = "SE2321000016-X9Y8";
  const Appointment a = appointment({clinic, "Ortopedmottagningen Karolinska", "TC-77", now + 5 * 24h});
  const PersonView v = build_view({source("SE2321000016-Q5R6", {a}, ProcessingStatusCode::DataFromCache, "TakeCare", now - 30min),
                                   source(care_unit, {a}, ProcessingStatusCode::DataFromSource, "TakeCare", now - 1min)},
                                  config, now);
  REQUIRE(v.appointments.size() == 1);
  CHECK(v.appointments[0].owner == care_unit);
}

TEST_CASE("appointments are sorted by start, then id; those without a start come last") {
  const auto config = default_config();
  const UtcTime day_after = now + 48h;
  std::vector<Appointment> list{
      appointment({care_unit, care_unit_name, "C", now + 72h}),
      appointment({care_unit, care_unit_name, "NOSTART", std::nullopt}),
      appointment({care_unit, care_unit_name, "A", day_after}),
      appointment({care_unit, care_unit_name, "B", day_after}),
      appointment({care_unit, care_unit_name, "EARLY", now + 1h}),
  };
  const PersonView v = build_view({source(care_unit, list)}, config, now);
  REQUIRE(v.appointments.size() == 5);
  CHECK(v.appointments[0].appointment.booking_id == "EARLY");
  // A and B start together: their order is their ids' order.
  const auto& first_of_pair = v.appointments[1];
  const auto& second_of_pair = v.appointments[2];
  CHECK(first_of_pair.appointment.start == day_after);
  CHECK(second_of_pair.appointment.start == day_after);
  CHECK(first_of_pair.id < second_of_pair.id);
  CHECK(v.appointments[3].appointment.booking_id == "C");
  CHECK(v.appointments[4].appointment.booking_id == "NOSTART");
}

TEST_CASE("hidden time types are matched by id or name, trimmed and case-insensitively, per booking system") {
  // The defaults hide "Administration" and "Dölj i 1177"; Cosmic's clinics also hide their telephone slots.
  const auto config = default_config("[rules.booking_system.Cosmic]\nhidden_time_types = [\"Telefontid\"]\n");
  auto typed = [](std::string id, std::string time_type_id, std::string time_type_name) {
    Booking b{care_unit, care_unit_name, std::move(id), now + 30h};
    b.time_type_id = std::move(time_type_id);
    b.time_type_name = std::move(time_type_name);
    return appointment(b);
  };
  const PersonView v = build_view(
      {source(care_unit,
              {typed("BY-NAME", "ADM", "Administration"), typed("TRIMMED", "DOLJ", "  dölj i 1177 "),
               typed("UPPER-O-UMLAUT", "DOLJ", "DÖLJ I 1177"), typed("BY-ID", "administration", "Intern tid"),
               typed("VISIBLE", "BES", "Besök"), typed("PHONE-TAKECARE", "TEL", "Telefontid")}),
       source("SE2321000057-7Q2M", {typed("PHONE-COSMIC", "TEL", "Telefontid")}, ProcessingStatusCode::DataFromSource,
              "Cosmic")},
      config, now);
  auto shown = booking_ids(v);
  std::sort(shown.begin(), shown.end());
  CHECK(shown == std::vector<std::string>{"PHONE-TAKECARE", "VISIBLE"});
  CHECK(find_booking(v, "PHONE-COSMIC") == nullptr);
  // The Cosmic clinic answered, and nothing it said is for the citizen's eyes: a clinic without appointments.
  REQUIRE(v.clinics_without_appointments.size() == 1);
  CHECK(v.clinics_without_appointments[0].hsa_id == "SE2321000057-7Q2M");
}

TEST_CASE("an excluded (confidential) clinic is never shown, nor named, nor listed without appointments") {
  const char* youth_clinic = "SE2321000016-9UNG";
  const char* youth_name = "Ungdomsmottagningen Kungsholmen";
  const char* fronting_unit = "SE2321000016-7P35";
  const auto config = default_config("[rules.region.\"Region Stockholm\"]\nexcluded_clinics = [\"" +
                                     std::string(youth_clinic) + "\"]\n");
  const Appointment youth = appointment({youth_clinic, youth_name, "TC-UNG-1", now + 30h});
  const PersonView v = build_view({source(fronting_unit, {youth}), source("se2321000016-9ung", {youth}),
                                   source(care_unit, {}), source(sub_clinic, {appointment({sub_clinic, sub_clinic_name, "TC-5", now + 50h})})},
                                  config, now);

  CHECK(booking_ids(v) == std::vector<std::string>{"TC-5"});
  // Both addresses that held the confidential booking stay in sources by address only, without a name...
  const SourceView* own = find_source(v, "se2321000016-9ung");
  REQUIRE(own != nullptr);
  CHECK(own->name.empty());
  CHECK(own->confidential);
  CHECK(own->state == SourceState::DataFromSource);
  const SourceView* front = find_source(v, fronting_unit);
  REQUIRE(front != nullptr);
  CHECK(front->confidential);
  // ...and neither counts as a clinic without appointments (that would say there is something there).
  REQUIRE(v.clinics_without_appointments.size() == 1);
  CHECK(v.clinics_without_appointments[0].hsa_id == care_unit);
  // The empty care unit's name is known from nowhere in this answer.
  CHECK(v.clinics_without_appointments[0].name.empty());
  for (const auto& s : v.sources) CHECK(s.name != youth_name);
}

TEST_CASE("a booking at a sub-clinic of an excluded care unit is hidden, though the sub-clinic owns it") {
  const char* excluded_unit = "SE2321000016-9UNG";
  const char* its_sub_clinic = "SE2321000016-9UN1";
  const auto config = default_config("[rules.region.\"Region Stockholm\"]\nexcluded_clinics = [\"" +
                                     std::string(excluded_unit) + "\"]\n");
  const Appointment booking = appointment({its_sub_clinic, "Ungdomsmottagningen Kungsholmen, Preventivmedel", "TC-UNG-2",
                                           now + 30h});
  const PersonView v = build_view({source(excluded_unit, {booking}), source(its_sub_clinic, {booking})}, config, now);
  CHECK(v.appointments.empty());
  CHECK(v.clinics_without_appointments.empty());
  REQUIRE(v.sources.size() == 2);
  CHECK(v.sources[0].confidential);
  CHECK(v.sources[1].confidential);
  CHECK(v.sources[1].name.empty());

  // Answered only through the excluded address (the owner), it is hidden too.
  const PersonView only_unit = build_view({source(excluded_unit, {booking})}, config, now);
  CHECK(only_unit.appointments.empty());
}

TEST_CASE("an appointment stays visible until show_after_start (2 h by default) after its start") {
  const auto config = default_config();
  Booking just_inside{care_unit, care_unit_name, "INSIDE", now - 2h + 1s};
  Booking at_limit{care_unit, care_unit_name, "AT-LIMIT", now - 2h};
  Booking ended{care_unit, care_unit_name, "ENDED", now - 1h, 30min};  // ended 30 min ago
  Booking no_start{care_unit, care_unit_name, "NO-START", std::nullopt};
  Booking long_ago{care_unit, care_unit_name, "YESTERDAY", now - 24h};
  const PersonView v = build_view(
      {source(care_unit, {appointment(just_inside), appointment(at_limit), appointment(ended), appointment(no_start),
                          appointment(long_ago)})},
      config, now);
  CHECK(booking_ids(v) == std::vector<std::string>{"INSIDE", "ENDED", "NO-START"});

  // A region's own window replaces the default (at most retention.appointment_grace, which config checks).
  const auto shorter = default_config("[rules.region.\"Region Stockholm\"]\nshow_after_start = \"30m\"\n");
  Booking half_hour_ago{care_unit, care_unit_name, "HALF-HOUR-AGO", now - 30min};
  Booking twenty_minutes_ago{care_unit, care_unit_name, "TWENTY-MINUTES-AGO", now - 20min};
  const PersonView v2 = build_view(
      {source(care_unit, {appointment(just_inside), appointment(half_hour_ago), appointment(twenty_minutes_ago)})},
      shorter, now);
  CHECK(booking_ids(v2) == std::vector<std::string>{"TWENTY-MINUTES-AGO"});
}

TEST_CASE("Region Skåne's 24 h cutoff from the default config: allowed at 25 h, refused at 23 h with the reason") {
  const auto config = default_config();
  const PersonView v = build_view(
      {source(skane_clinic,
              {appointment({skane_clinic, skane_clinic_name, "PMO-25H", now + 25h}),
               appointment({skane_clinic, skane_clinic_name, "PMO-24H", now + 24h}),
               appointment({skane_clinic, skane_clinic_name, "PMO-23H", now + 23h})},
              ProcessingStatusCode::DataFromSource, "PMO"),
       source(care_unit, {appointment({care_unit, care_unit_name, "TC-23H", now + 23h})})},
      config, now);

  const AppointmentView* at25 = find_booking(v, "PMO-25H");
  REQUIRE(at25 != nullptr);
  CHECK(at25->region == "Region Skåne");
  CHECK(at25->booking_system == "PMO");
  CHECK(at25->cancel.allowed);
  CHECK(at25->cancel.reason.empty());
  CHECK(at25->rebook.allowed);
  CHECK(at25->cancel.logical_address == skane_clinic);

  for (const char* id : {"PMO-23H", "PMO-24H"}) {
    CAPTURE(id);
    const AppointmentView* b = find_booking(v, id);
    REQUIRE(b != nullptr);
    CHECK_FALSE(b->cancel.allowed);
    CHECK(b->cancel.reason == "not within 24 h of the start");
    CHECK_FALSE(b->rebook.allowed);
    CHECK(b->rebook.reason == "not within 24 h of the start");
  }

  // Region Stockholm has no cutoff: 23 h ahead may be cancelled.
  const AppointmentView* stockholm = find_booking(v, "TC-23H");
  REQUIRE(stockholm != nullptr);
  CHECK(stockholm->region == "Region Stockholm");
  CHECK(stockholm->cancel.allowed);
}

TEST_CASE("changes_at: the view says the first moment its decisions would change, and they do change then") {
  const auto config = default_config();  // Region Skåne: 24 h cut-offs; everywhere: shown 2 h after the start
  const auto in_25h = now + 25h;
  const auto started_1h_ago = now - 1h;
  const PersonView v = build_view(
      {source(skane_clinic, {appointment({skane_clinic, skane_clinic_name, "PMO-25H", in_25h})},
              ProcessingStatusCode::DataFromSource, "PMO"),
       source(care_unit, {appointment({care_unit, care_unit_name, "STARTED", started_1h_ago}),
                          appointment({care_unit, care_unit_name, "NO-START", std::nullopt})})},
      config, now);
  REQUIRE(v.changes_at.has_value());
  // The earliest of: PMO-25H's cut-off (in 1 h), STARTED leaving the view (in 1 h as well) — both at now + 1 h.
  CHECK(*v.changes_at == now + 1h);
  const auto inputs = [&] {
    return std::vector<SourceInput>{
        source(skane_clinic, {appointment({skane_clinic, skane_clinic_name, "PMO-25H", in_25h})},
               ProcessingStatusCode::DataFromSource, "PMO"),
        source(care_unit, {appointment({care_unit, care_unit_name, "STARTED", started_1h_ago}),
                           appointment({care_unit, care_unit_name, "NO-START", std::nullopt})})};
  };
  // A second before it, the same decisions; at it, different ones.
  const PersonView before = build_view(inputs(), config, *v.changes_at - 1s);
  CHECK(booking_ids(before) == booking_ids(v));
  CHECK(find_booking(before, "PMO-25H")->cancel.allowed);
  const PersonView at = build_view(inputs(), config, *v.changes_at);
  CHECK(booking_ids(at) == std::vector<std::string>{"PMO-25H", "NO-START"});
  CHECK_FALSE(find_booking(at, "PMO-25H")->cancel.allowed);
  // Then the next change: PMO-25H's start (in 24 h from there).
  REQUIRE(at.changes_at.has_value());
  CHECK(*at.changes_at == in_25h);

  // Nothing ahead: no appointment with a start, or none shown.
  const PersonView none = build_view({source(care_unit, {appointment({care_unit, care_unit_name, "NO-START", std::nullopt})})},
                                     config, now);
  CHECK_FALSE(none.changes_at.has_value());
}

TEST_CASE("a cutoff is said in words, e.g. 90 min") {
  const auto config = default_config("[rules.booking_system.TakeCare]\ncancel_cutoff = \"90m\"\nrebook_cutoff = \"1h30m\"\n");
  const PersonView v = build_view({source(care_unit, {appointment({care_unit, care_unit_name, "SOON", now + 1h})})}, config, now);
  REQUIRE(v.appointments.size() == 1);
  CHECK(v.appointments[0].cancel.reason == "not within 90 min of the start");
  CHECK(v.appointments[0].rebook.reason == "not within 90 min of the start");

  CHECK(describe_cutoff(24h) == "24 h");
  CHECK(describe_cutoff(std::chrono::hours(48)) == "48 h");
  CHECK(describe_cutoff(90min) == "90 min");
  CHECK(describe_cutoff(45s) == "45 s");
  CHECK(describe_cutoff(1500ms) == "1500 ms");
}

TEST_CASE("what the booking system forbids is refused, and so is anything once the appointment has started") {
  const auto config = default_config();
  Booking no_cancel{care_unit, care_unit_name, "NO-CANCEL", now + 72h};
  no_cancel.cancel = false;
  Booking started{care_unit, care_unit_name, "STARTED", now - 10min};
  Booking started_and_forbidden{care_unit, care_unit_name, "STARTED-FORBIDDEN", now - 10min};
  started_and_forbidden.rebook = false;
  Booking untimed{care_unit, care_unit_name, "UNTIMED", std::nullopt};
  const PersonView v = build_view(
      {source(care_unit, {appointment(no_cancel), appointment(started), appointment(started_and_forbidden),
                          appointment(untimed)})},
      config, now);

  const AppointmentView* a = find_booking(v, "NO-CANCEL");
  REQUIRE(a != nullptr);
  CHECK_FALSE(a->cancel.allowed);
  CHECK(a->cancel.reason == "the booking system does not allow it");
  CHECK(a->rebook.allowed);

  const AppointmentView* s = find_booking(v, "STARTED");
  REQUIRE(s != nullptr);  // still within show_after_start
  CHECK_FALSE(s->cancel.allowed);
  CHECK(s->cancel.reason == "the appointment has started");
  CHECK(s->rebook.reason == "the appointment has started");

  const AppointmentView* sf = find_booking(v, "STARTED-FORBIDDEN");
  REQUIRE(sf != nullptr);
  CHECK(sf->rebook.reason == "the booking system does not allow it");

  const AppointmentView* u = find_booking(v, "UNTIMED");
  REQUIRE(u != nullptr);
  CHECK_FALSE(u->cancel.allowed);
  CHECK(u->cancel.reason == "the appointment has no start time");
}

TEST_CASE("a source TAK or VP refuses is NotAuthorized and its stored appointments are not shown") {
  const auto config = default_config();
  const char* refused = "SE2321000016-B7K9";
  const char* unrouted = "SE2321000016-Z0Z0";
  const char* slow = "SE2321000016-S1S1";
  const PersonView v = build_view(
      {failed_source(refused, {appointment({refused, "Hudmottagningen Södersjukhuset", "OLD-1", now + 30h})},
                     Outcome::not_authorized, "VP007", "VP007 Authorization missing", "virtualization_platform"),
       failed_source(unrouted, {}, Outcome::no_route, "VP004", "VP004 No Logical Adress found", "virtualization_platform"),
       failed_source(slow, {appointment({slow, "Fysioterapin Solna", "CACHED-1", now + 30h})}, Outcome::timeout, "",
                     "no answer within 10s", "bokade"),
       failed_source("SE2321000016-E5E5", {}, Outcome::connect_error, "", "connection refused", "bokade")},
      config, now);

  CHECK(booking_ids(v) == std::vector<std::string>{"CACHED-1"});
  const SourceView* r = find_source(v, refused);
  REQUIRE(r != nullptr);
  CHECK(r->state == SourceState::NotAuthorized);
  CHECK(to_string(r->state) == "NotAuthorized");
  CHECK(r->error_code == "VP007");
  CHECK(r->error_text == "VP007 Authorization missing");
  CHECK(r->causing_agent == "virtualization_platform");
  CHECK(r->last_unsuccessful_synch == now - 10s);
  CHECK(find_source(v, unrouted)->state == SourceState::NotAuthorized);

  const SourceView* s = find_source(v, slow);
  REQUIRE(s != nullptr);
  CHECK(s->state == SourceState::DataFromCacheSynchFailed);
  CHECK(s->error_code == "timeout");  // no code from the source: the outcome names the failure
  CHECK(s->last_successful_synch == now - 3h);
  CHECK(find_source(v, "SE2321000016-E5E5")->state == SourceState::NoDataSynchFailed);
  // None of them answered now, so none is a clinic without appointments.
  CHECK(v.clinics_without_appointments.empty());
  // One source view per input, sorted by address.
  REQUIRE(v.sources.size() == 4);
  CHECK(std::is_sorted(v.sources.begin(), v.sources.end(),
                       [](const SourceView& a, const SourceView& b) { return a.logical_address < b.logical_address; }));
}

TEST_CASE("clinics without appointments: answered now or from a fresh cache, nothing visible, sorted by HSA-id") {
  const auto config = default_config();
  const char* empty_fresh = "SE2321000016-M2M2";
  const char* past_only = "SE2321000131-E000000011801";
  const char* failing = "SE2321000016-F0F0";
  const PersonView v = build_view(
      {source(empty_fresh, {}, ProcessingStatusCode::DataFromSource),
       source(past_only, {appointment({past_only, "Ögonmottagningen Sahlgrenska", "MEL-1", now - 3 * 24h})},
              ProcessingStatusCode::DataFromCache, "Melior"),
       failed_source(failing, {}, Outcome::timeout, "", "no answer", "bokade"),
       // Another clinic's slice names the empty one (a booking it holds for that address, long past).
       source(care_unit, {appointment({care_unit, care_unit_name, "TC-9", now + 10h}),
                          appointment({empty_fresh, "Barnavårdscentralen Kungsholmen", "TC-OLD", now - 48h})})},
      config, now);

  REQUIRE(v.clinics_without_appointments.size() == 2);
  CHECK(v.clinics_without_appointments[0] == Clinic{empty_fresh, "Barnavårdscentralen Kungsholmen"});
  CHECK(v.clinics_without_appointments[1] == Clinic{past_only, "Ögonmottagningen Sahlgrenska"});
  CHECK(booking_ids(v) == std::vector<std::string>{"TC-9"});
}

TEST_CASE("appointment ids are stable, opaque and URL-safe: SHA-256 of the identity, 16 bytes in hex") {
  const auto config = default_config();
  Appointment a = appointment({care_unit, care_unit_name, "TC-20261124-0830", now + 25h});
  const std::string id = appointment_view_id(a);
  CHECK(id.size() == 32);
  CHECK(std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));

  // The same booking, moved and renamed and with its clinic spelt in lower case, keeps its id.
  Appointment moved = a;
  moved.start = now + 50h;
  moved.healthcare_facility = "se2321000016-a1b2";
  moved.purpose = "Ny tid";
  CHECK(appointment_view_id(moved) == id);
  Appointment other = a;
  other.booking_id = "TC-20261124-0900";
  CHECK(appointment_view_id(other) != id);

  // The view gives the same id in two requests (and so after a restart: nothing but the booking goes in).
  const PersonView first = build_view({source(care_unit, {a})}, config, now);
  const PersonView later = build_view({source(care_unit, {moved}, ProcessingStatusCode::DataFromCache)}, config, now + 1h);
  REQUIRE(first.appointments.size() == 1);
  REQUIRE(later.appointments.size() == 1);
  CHECK(first.appointments[0].id == id);
  CHECK(later.appointments[0].id == id);

  // An independent SHA-256 of lower(healthcare_facility) NUL bookingId gives the same digits.
  const auto r = bokade::test::run(
      {"/usr/bin/python3", "-c",
       "import hashlib,sys; print(hashlib.sha256(b'se2321000016-a1b2\\0TC-20261124-0830').hexdigest()[:32])"});
  REQUIRE(r.status == 0);
  CHECK(r.output == id + "\n");
}
