// Reads the ProcessingStatus header; whatever is read can be written and read back as many records.
#include "bokade/rivta/processing_status.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_processing_status(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  const auto back = read_processing_status(write_processing_status_element(*r));
  fuzz::require(back.has_value() && back->size() == r->size());
  return 0;
}
