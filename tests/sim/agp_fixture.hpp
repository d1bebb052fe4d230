#pragma once
// The AGP standard test persons (`bokade-sim --agp-fixture`): the data of the reference aggregating
// service's test cases (../shared/rivta/agp: agp-teststub/readme.md, patients.csv and the soapUI
// project GetAggregatedSubjectOfCareSchedule-soapui-project.xml), added on top of the generated
// world, so that bokade's RIVTA endpoint can be checked against what AGP answers for them.
//
// What the flag adds (the generated world, its persons, systems, clinics and TAK rows stay as they are):
//
// - Seven booking systems, each with one clinic whose logical address is its id: HSA-ID-1 … HSA-ID-7
//   (sourceSystem = logical address, as in the soapUI EI registrations), product "AGP teststub",
//   clinic name "AGP testmottagning N", region "AGP testdata (Inera)" (organisation number
//   5565594230, dataController SE5565594230). Each has its own listener (/producer/HSA-ID-N, see
//   GET /control/systems) and answers GetSubjectOfCareSchedule through VP like every other system:
//   TAK check, routing, the system's fault mode, latency and error rate (PUT /control/systems/HSA-ID-N).
// - TAK: the consumer (--consumer) may call HSA-ID-1 … HSA-ID-6; HSA-ID-7 has a route but no
//   anropsbehorighet, so VP answers VP007 for it.
// - The test persons below with their engagements in EI (FindContent, and the push replay of
//   --ei-replay-on-start / POST /control/ei/replay), serviceDomain riv:crm:scheduling, categorization NA,
//   businessObjectInstanceIdentifier = bookingId. They are persons of the control API (listed after
//   the generated persons by GET /control/persons, with GET /control/persons/{id}/truth, and bookable
//   like any other); GET /control/agp describes the whole fixture. They have no legacy clinic relations
//   (--write-relations leaves them out).
// - Every engagement is a booking at that clinic: one TimeslotType with bookingId = the
//   businessObjectId, healthcare_facility = HSA-ID-N, healthcare_facility_name "AGP testmottagning N",
//   start 09:30 Stockholm time on day 7 + i after --epoch (i = the engagement's row in the table below,
//   0 … 11), 30 minutes, a time type that is shown to citizens (Besök, Återbesök, Nybesök, Telefontid)
//   and the system's care type (Primärvård or Öppen specialistvård).
// - How a system answers depends on (address, person), as the reference stub's producers do, and
//   not on a global fault mode; other persons at the same address get their bookings:
//     HSA-ID-2 for 194911172296: an empty GetSubjectOfCareScheduleResponse (TC3), though EI lists 1001 there;
//     HSA-ID-3 for 198611062384: never answers; VP gives VP009 after --vp-timeout (TC4);
//     HSA-ID-1 for 192011189228: a SOAP fault (HTTP 500, soap:Server, a producer exception) (TC5).
//
// | TC  | person       | name              | engagements (address/bookingId)               | AGP answers |
// |-----|--------------|-------------------|-----------------------------------------------|-------------|
// | TC1 | 121212121212 | Tolvan Tolvansson | HSA-ID-4/1002, HSA-ID-5/1003, HSA-ID-6/1004   | 3, 3, 0     |
// | TC2 | 188803099368 | Agda Andersson    | none                                          | 0, 0, 0     |
// | TC3 | 194911172296 | Sven Sturesson    | HSA-ID-1/1001, HSA-ID-2/1001 (empty answer)   | 2, 1, 0     |
// | TC4 | 198611062384 | Ulla Alm          | HSA-ID-1/1002, HSA-ID-2/1003, HSA-ID-2/1004,  | 3, 3, 1     |
// |     |              |                   | HSA-ID-3/1004 (no answer)                     |             |
// | TC5 | 192011189228 | Gunbritt Boden    | HSA-ID-1/5001 (SOAP fault)                    | 1, 0, 1     |
// | TC6 | 194804032094 | Laban Meijer      | HSA-ID-7/6001 (no TAK permission)             | 0, 0, 0     |
// | TC7 | 194808069887 | (none given)      | HSA-ID-7/7001 (no TAK permission)             | 0, 0, 0 (*) |
//
// "AGP answers" = ProcessingStatusList records (one per logical address AGP called after its TAK
// filter), timeslotDetail elements and lastUnsuccessfulSynchError elements, as the soapUI project's
// XPath assertions count them; patients.csv's timeslot counts agree. (*) TC7 is in neither file; it
// follows from TC6. In AGP's terms: TC3's two records are both DataFromSource (an empty answer is an
// answer); TC4's HSA-ID-3 and TC5's HSA-ID-1 are NoDataSynchFailed with the error (VP009 timeout,
// the producer's fault); TC6/TC7 have no record because TAK filters HSA-ID-7 out before any call.
//
// Notes for tests against the daemon: the engagement rows are numbered 0 … 11 in the table's order
// (TC1 first), so with the default --epoch (today) every booking lies 7 to 18 days ahead; the test
// persons' bookings are the same for every --seed. The generated world never issues these
// personnummer (PersonCodec gives a world person whose computed identity is one of them another one,
// with or without the flag), so nothing else answers for them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bokade::sim::agp {

// How a fixture booking system answers GetSubjectOfCareSchedule for one person.
enum class ProducerAnswer : std::uint8_t {
  bookings,    // the person's bookings at the address (the normal answer)
  empty,       // an empty response, whatever EI says
  no_answer,   // holds the call: VP answers VP009 after --vp-timeout
  soap_fault,  // HTTP 500 with a soap:Server fault, as when the producer throws
};
std::string_view to_string(ProducerAnswer a) noexcept;

struct TestAddress {
  std::string_view hsa_id;  // logical address = booking system id = sourceSystem
  std::string_view clinic_name;
  std::string_view care_type_id;
  std::string_view care_type_name;
  bool permitted = true;  // TAK lets the consumer call it
};

struct TestEngagement {
  std::string_view logical_address;
  std::string_view booking_id;  // businessObjectInstanceIdentifier
  std::string_view time_type_id;
};

// What the reference answers (the soapUI project's assertions).
struct ReferenceAnswer {
  unsigned processing_status = 0;
  unsigned timeslots = 0;
  unsigned errors = 0;
};

struct TestPerson {
  std::string_view id;
  std::string_view name;  // empty when the sources give none (TC7)
  std::string_view test_case;
  std::string_view description;  // the test case's title in the readme, translated
  std::vector<TestEngagement> engagements;
  ReferenceAnswer reference;
};

inline constexpr std::string_view product = "AGP teststub";
inline constexpr std::string_view region_name = "AGP testdata (Inera)";
inline constexpr std::string_view organisation_number = "5565594230";
inline constexpr int booking_minute_of_day = 9 * 60 + 30;  // 09:30 Stockholm time
inline constexpr int first_booking_day = 7;                // days after the epoch of engagement row 0
inline constexpr int booking_minutes = 30;

// HSA-ID-1 … HSA-ID-7.
const std::array<TestAddress, 7>& test_addresses();
// TC1 … TC7, in that order.
const std::vector<TestPerson>& test_persons();
const TestPerson* find_test_person(std::string_view id);
// How `logical_address` answers for `person` (bookings for any pair the fixture does not name).
ProducerAnswer producer_answer(std::string_view logical_address, std::string_view person);

}  // namespace bokade::sim::agp
