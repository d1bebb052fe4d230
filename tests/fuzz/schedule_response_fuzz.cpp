// Reads GetSubjectOfCareScheduleResponse; what is read must survive writer → reader.
#include "bokade/rivta/schedule.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_schedule_response(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  const auto written = write_schedule_response(r->appointments, r->processing_status ? &*r->processing_status : nullptr);
  if (written) {
    const auto back = read_schedule_response(*written);
    fuzz::require(back.has_value());
    fuzz::require(back->appointments.size() == r->appointments.size());
    for (std::size_t i = 0; i < back->appointments.size(); ++i) {
      fuzz::require(back->appointments[i].start == r->appointments[i].start);
    }
  }
  return 0;
}
