#include "agp_fixture.hpp"

#include <algorithm>

#include "world.hpp"

namespace bokade::sim::agp {

std::string_view to_string(ProducerAnswer a) noexcept {
  switch (a) {
    case ProducerAnswer::bookings: return "bookings";
    case ProducerAnswer::empty: return "empty";
    case ProducerAnswer::no_answer: return "no_answer";
    case ProducerAnswer::soap_fault: return "soap_fault";
  }
  return "bookings";
}

const std::array<TestAddress, 7>& test_addresses() {
  static const std::array<TestAddress, 7> a{{
      {"HSA-ID-1", "AGP testmottagning 1", "PV", "Primärvård", true},
      {"HSA-ID-2", "AGP testmottagning 2", "OPV", "Öppen specialistvård", true},
      {"HSA-ID-3", "AGP testmottagning 3", "PV", "Primärvård", true},
      {"HSA-ID-4", "AGP testmottagning 4", "OPV", "Öppen specialistvård", true},
      {"HSA-ID-5", "AGP testmottagning 5", "OPV", "Öppen specialistvård", true},
      {"HSA-ID-6", "AGP testmottagning 6", "PV", "Primärvård", true},
      // The reference stub's TAK grants nothing for HSA-ID-7: TC6 and TC7 test the TAK filter.
      {"HSA-ID-7", "AGP testmottagning 7", "OPV", "Öppen specialistvård", false},
  }};
  return a;
}

const std::vector<TestPerson>& test_persons() {
  // Engagements as agp-teststub/readme.md lists them; reference counts from the soapUI assertions
  // (TC7 has none there: with HSA-ID-7 not permitted it answers as TC6).
  static const std::vector<TestPerson> v{
      {"121212121212", "Tolvan Tolvansson", "TC1", "data from three producers (three engagements)",
       {{"HSA-ID-4", "1002", "BES"}, {"HSA-ID-5", "1003", "ATB"}, {"HSA-ID-6", "1004", "NYB"}},
       {3, 3, 0}},
      {"188803099368", "Agda Andersson", "TC2", "the test person has no engagements", {}, {0, 0, 0}},
      {"194911172296", "Sven Sturesson", "TC3",
       "engagements in two systems, one of which answers with nothing",
       {{"HSA-ID-1", "1001", "BES"}, {"HSA-ID-2", "1001", "BES"}},
       {2, 1, 0}},
      {"198611062384", "Ulla Alm", "TC4", "engagements in several systems, one of which never answers",
       {{"HSA-ID-1", "1002", "ATB"}, {"HSA-ID-2", "1003", "TEL"}, {"HSA-ID-2", "1004", "NYB"},
        {"HSA-ID-3", "1004", "ATB"}},
       {3, 3, 1}},
      {"192011189228", "Gunbritt Boden", "TC5", "the system answers with an error (the producer throws)",
       {{"HSA-ID-1", "5001", "BES"}},
       {1, 0, 1}},
      {"194804032094", "Laban Meijer", "TC6", "no TAK permission for the logical address",
       {{"HSA-ID-7", "6001", "BES"}},
       {0, 0, 0}},
      {"194808069887", "", "TC7", "data from only one producer (HSA-ID-7, not permitted as in TC6)",
       {{"HSA-ID-7", "7001", "NYB"}},
       {0, 0, 0}},
  };
  return v;
}

const TestPerson* find_test_person(std::string_view id) {
  const auto& v = test_persons();
  const auto it = std::find_if(v.begin(), v.end(), [&](const TestPerson& p) { return p.id == id; });
  return it == v.end() ? nullptr : &*it;
}

ProducerAnswer producer_answer(std::string_view logical_address, std::string_view person) {
  struct Rule {
    std::string_view address;
    std::string_view person;
    ProducerAnswer answer;
  };
  static constexpr std::array<Rule, 3> rules{{
      {"HSA-ID-2", "194911172296", ProducerAnswer::empty},      // TC3
      {"HSA-ID-3", "198611062384", ProducerAnswer::no_answer},  // TC4
      {"HSA-ID-1", "192011189228", ProducerAnswer::soap_fault}, // TC5
  }};
  const std::string address = upper(logical_address);  // HSA-ids are case-insensitive
  for (const auto& r : rules) {
    if (r.address == address && r.person == person) return r.answer;
  }
  return ProducerAnswer::bookings;
}

}  // namespace bokade::sim::agp
