// Reads FindContent requests (the simulator's side).
#include "bokade/rivta/engagement_index.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_find_content_request(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  const auto written = write_find_content_request(*r);
  if (written) fuzz::require(read_find_content_request(*written).has_value());
  return 0;
}
