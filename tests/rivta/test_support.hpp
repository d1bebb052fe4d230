#pragma once
// Shared helpers of the rivta tests: sample files from ../shared/rivta and schema validation with
// xmllint against the real XSDs.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/appointment.hpp"
#include "bokade/core/engagement.hpp"
#include "bokade/core/source_status.hpp"

namespace bokade::rivta::test {

std::filesystem::path shared_rivta();
// The bytes of ../shared/rivta/<relative>.
std::string read_shared(std::string_view relative);
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view bytes);

// Realistic data for writers: the i-th booking of Tolvan Tolvansson at a clinic, with text that needs
// escaping and Swedish letters; the i-th engagement; one ProcessingStatus record per status code.
Appointment sample_appointment(int i);
Engagement sample_engagement(int i);
std::vector<SourceStatus> sample_statuses();
UtcTime rivta_time(std::string_view fourteen_digits);

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

}  // namespace bokade::rivta::test
