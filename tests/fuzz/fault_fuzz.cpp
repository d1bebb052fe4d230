// Reads SOAP faults and classifies them; a written fault always reads back.
#include "bokade/rivta/fault.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = fuzz::as_view(data, size);
  (void)classify_fault_text(input);
  (void)redact_person_ids(input);
  const auto r = read_fault(input, fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
  } else {
    (void)to_read_error(*r);
  }
  // Arbitrary bytes as fault text must still make a well-formed fault.
  const auto back = read_fault(write_fault(FaultCode::server, input, input.substr(0, input.size() / 2)));
  fuzz::require(back.has_value());
  return 0;
}
