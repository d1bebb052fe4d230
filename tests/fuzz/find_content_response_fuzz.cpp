// Reads FindContentResponse; writable engagements must read back as many.
#include "bokade/rivta/engagement_index.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_find_content_response(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  const auto written = write_find_content_response(*r);
  if (written) {
    const auto back = read_find_content_response(*written);
    fuzz::require(back.has_value() && back->size() == r->size());
  }
  return 0;
}
