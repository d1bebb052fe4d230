#pragma once
// Validation of the simulator's SOAP answers against the real XSDs with xmllint, the way
// tests/rivta does it: the crm:scheduling 1.1 schemas are copied to a temporary folder with the
// SubjectOfCareIdType pattern fixed ([0-9]{8}[0-9pPtTfF][0-9]{3}; the shipped ^…$ is literal in XSD
// and rejects every real personnummer), and a small SOAP 1.1 envelope schema validates the Body's
// content strictly.

#include <filesystem>
#include <string>
#include <string_view>

namespace bokade::sim::test {

struct Validation {
  bool valid = false;
  std::string output;
};

class Schemas {
 public:
  Schemas();
  ~Schemas();
  Schemas(const Schemas&) = delete;
  Schemas& operator=(const Schemas&) = delete;
  // kind: "schedule" (GetSubjectOfCareScheduleResponse), "find_content" (FindContentResponse),
  // "process_notification" (ProcessNotification request), "fault" (a SOAP 1.1 Fault).
  Validation validate(std::string_view kind, std::string_view xml) const;

 private:
  std::filesystem::path dir_;
  mutable int counter_ = 0;
};

}  // namespace bokade::sim::test
