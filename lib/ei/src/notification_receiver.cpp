#include "bokade/ei/notification_receiver.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "bokade/core/log.hpp"
#include "bokade/ei/ei_metrics.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/store/async_commit.hpp"

namespace bokade::ei {
namespace asio = boost::asio;

namespace {

net::HttpResponse soap(unsigned status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "text/xml; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace

NotificationReceiver::NotificationReceiver(store::WriteQueue& queue, ReceiverOptions options,
                                           EiMetrics* metrics, ChangeCallback on_change)
    : queue_(queue), options_(options), max_transactions_(options.max_transactions), metrics_(metrics),
      on_change_(std::move(on_change)) {}

asio::awaitable<net::HttpResponse> NotificationReceiver::handle(const net::HttpRequest& request) {
  rivta::ReaderLimits limits;
  limits.max_transactions = max_transactions_.load(std::memory_order_relaxed);
  limits.max_bytes = options_.max_bytes;
  auto parsed = rivta::read_process_notification(request.body, limits);
  if (!parsed) {
    if (metrics_) metrics_->notification(EiMetrics::Result::malformed);
    log::warn("ProcessNotification refused", {{"reason", parsed.error().reason}, {"bytes", request.body.size()}});
    co_return soap(500, rivta::write_fault(rivta::FaultCode::client,
                                           "ProcessNotification could not be read: " + parsed.error().reason));
  }

  auto notification = std::make_shared<rivta::ProcessNotification>(std::move(*parsed));
  auto summary = std::make_shared<ApplySummary>();
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto job = [notification, summary, now](const store::Store& s, store::Batch& batch) -> Status {
    *summary = ApplySummary{};  // the job runs once; reset keeps it correct if it is ever retried
    return apply_transactions(s, batch, notification->transactions, now, *summary);
  };
  auto [status, accepted] = co_await store::async_commit(queue_, std::move(job), asio::use_awaitable);
  if (!accepted) {
    if (metrics_) metrics_->notification(EiMetrics::Result::overloaded);
    log::warn("ProcessNotification refused: write queue full", {{"transactions", notification->transactions.size()}});
    co_return soap(500, rivta::write_fault(rivta::FaultCode::server,
                                           "bokade is overloaded; deliver this notification again later"));
  }
  if (!status) {
    if (metrics_) metrics_->notification(EiMetrics::Result::storage_error);
    log::error("ProcessNotification not stored", {{"error", status.error().message}});
    co_return soap(500, rivta::write_fault(rivta::FaultCode::server,
                                           "the notification could not be stored; deliver it again later"));
  }

  if (metrics_) {
    metrics_->notification(EiMetrics::Result::ok);
    metrics_->transactions(*summary);
  }
  log::info("ProcessNotification stored",
            {{"transactions", notification->transactions.size()}, {"created", summary->created},
             {"updated", summary->updated}, {"deleted", summary->deleted},
             {"unknown_deletes", summary->unknown_deletes}, {"stale", summary->stale},
             {"duplicates", summary->duplicates}, {"other_domain", summary->other_domain},
             {"invalid_person", summary->invalid_person}, {"persons_changed", summary->affected.size()}});
  if (on_change_ && !summary->affected.empty()) on_change_(*summary);
  co_return soap(200, rivta::write_process_notification_response({rivta::ResultCode::ok, {}}));
}

}  // namespace bokade::ei
