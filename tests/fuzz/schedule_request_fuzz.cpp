// Reads GetSubjectOfCareSchedule requests; a schema-writable request must round-trip exactly.
#include "bokade/rivta/schedule.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_schedule_request(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  fuzz::require(!r->subject_of_care.empty());
  const auto written = write_schedule_request(*r);
  if (written) fuzz::require(read_schedule_request(*written).has_value());
  return 0;
}
