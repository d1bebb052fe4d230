// Reads ProcessNotification; the cap holds and writable batches read back whole.
#include "bokade/rivta/engagement_index.hpp"
#include "fuzz_support.hpp"

using namespace bokade::rivta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto limits = fuzz::limits();
  limits.max_transactions = 50;
  const auto r = read_process_notification(fuzz::as_view(data, size), limits);
  if (!r) {
    fuzz::check_error(r.error());
    return 0;
  }
  fuzz::require(!r->transactions.empty() && r->transactions.size() <= 50);
  const auto written = write_process_notification(r->logical_address, r->transactions);
  if (written) {
    const auto back = read_process_notification(*written);
    fuzz::require(back.has_value() && back->transactions.size() == r->transactions.size());
    for (std::size_t i = 0; i < back->transactions.size(); ++i) {
      fuzz::require(back->transactions[i].delete_flag == r->transactions[i].delete_flag);
    }
  }
  return 0;
}
