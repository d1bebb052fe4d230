#pragma once
// NotificationReceiver: the ProcessNotification SOAP endpoint the engagement index pushes to.
//
// A batch is answered ResultCode OK only after its writes are durable (WAL synced, group commit with
// concurrent batches through the WriteQueue). A malformed batch, an overloaded queue or a storage
// failure is answered with a SOAP fault, so the index delivers the batch again; a malformed batch
// changes nothing.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bokade/ei/ei_metrics.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/net/http_types.hpp"
#include "bokade/store/write_queue.hpp"

namespace bokade::ei {

inline constexpr std::string_view process_notification_path =
    "/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21";

struct ReceiverOptions {
  std::size_t max_transactions = 2000;
  std::size_t max_bytes = 16u << 20;
};

class NotificationReceiver {
 public:
  // Called after a batch is durable, with the persons and logical addresses it changed.
  using ChangeCallback = std::function<void(const ApplySummary&)>;

  NotificationReceiver(store::WriteQueue& queue, ReceiverOptions options, EiMetrics* metrics,
                       ChangeCallback on_change);

  boost::asio::awaitable<net::HttpResponse> handle(const net::HttpRequest& request);

  // A reloaded engagement_index.notification_max_transactions: applies to batches read from now on.
  void set_max_transactions(std::size_t n) noexcept { max_transactions_.store(n, std::memory_order_relaxed); }

 private:
  store::WriteQueue& queue_;
  ReceiverOptions options_;
  std::atomic<std::size_t> max_transactions_;  // options_.max_transactions, changed by a reload
  EiMetrics* metrics_;
  ChangeCallback on_change_;
};

}  // namespace bokade::ei
