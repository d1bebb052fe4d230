#pragma once
// Shared helpers of the rivta tests: sample files from ../shared/rivta and realistic data for writers.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/appointment.hpp"
#include "bokade/core/engagement.hpp"
#include "bokade/core/source_status.hpp"
#include "schema_set.hpp"

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

// Schema validation with xmllint (tests/support/schema_set.hpp), shared with the simulator's tests.
using bokade::test::SchemaSet;
using bokade::test::Validation;

}  // namespace bokade::rivta::test
