// Reads ProcessNotificationResponse; it round-trips exactly when the comment is plain text.
#include "bokade/rivta/engagement_index.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = read_process_notification_response(fuzz::as_view(data, size), fuzz::limits());
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  const auto back = read_process_notification_response(write_process_notification_response(*r));
  fuzz::require(back.has_value() && back->result == r->result);
  return 0;
}
