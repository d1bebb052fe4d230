#pragma once
// Validation of SOAP messages against the real service-contract XSDs with xmllint, for every test that
// checks what goes on the wire (tests/rivta, tests/sim).

#include <filesystem>
#include <string>
#include <string_view>

namespace bokade::test {

struct Validation {
  bool valid = false;
  std::string output;  // what xmllint said
};

// A temporary folder holding what xmllint needs:
// - a copy of the crm:scheduling 1.1 schemas with the SubjectOfCareIdType pattern fixed (see the .cpp),
// - a SOAP 1.1 envelope schema whose Header and Body contents are validated strictly,
// - one "driver" schema per message kind importing exactly the contract schemas it needs.
class SchemaSet {
 public:
  SchemaSet();
  ~SchemaSet();
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;

  // driver: "schedule" (crm Actor header), "schedule_agp" (AGP headers: Actor + ProcessingStatus),
  // "schedule_unfixed" (the shipped crm schemas), "find_content", "process_notification", "fault",
  // "processing_status" (the AGP header schema alone).
  Validation validate(std::string_view driver, std::string_view xml) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  mutable int counter_ = 0;
};

}  // namespace bokade::test
