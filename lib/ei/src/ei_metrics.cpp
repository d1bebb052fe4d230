#include "bokade/ei/ei_metrics.hpp"

#include <chrono>

#include "bokade/ei/engagement_apply.hpp"

namespace bokade::ei {

EiMetrics::EiMetrics(prometheus::Registry& registry) {
  auto& notifications = prometheus::BuildCounter()
                            .Name("bokade_ei_notifications_total")
                            .Help("ProcessNotification batches received, by result (ok = durable and acknowledged)")
                            .Register(registry);
  notifications_[static_cast<std::size_t>(Result::ok)] = &notifications.Add({{"result", "ok"}});
  notifications_[static_cast<std::size_t>(Result::malformed)] = &notifications.Add({{"result", "malformed"}});
  notifications_[static_cast<std::size_t>(Result::overloaded)] = &notifications.Add({{"result", "overloaded"}});
  notifications_[static_cast<std::size_t>(Result::storage_error)] = &notifications.Add({{"result", "storage_error"}});
  auto& tx = prometheus::BuildCounter()
                 .Name("bokade_ei_transactions_total")
                 .Help("Engagement transactions in acknowledged notifications, by what they did")
                 .Register(registry);
  created_ = &tx.Add({{"kind", "created"}});
  updated_ = &tx.Add({{"kind", "updated"}});
  deleted_ = &tx.Add({{"kind", "deleted"}});
  unknown_deletes_ = &tx.Add({{"kind", "unknown_delete"}});
  stale_ = &tx.Add({{"kind", "stale"}});
  duplicates_ = &tx.Add({{"kind", "duplicate"}});
  other_domain_ = &tx.Add({{"kind", "other_domain"}});
  invalid_ = &tx.Add({{"kind", "invalid_person"}});
  last_success_ = &prometheus::BuildGauge()
                       .Name("bokade_ei_last_notification_timestamp_seconds")
                       .Help("When a ProcessNotification was last stored and acknowledged (Unix time; 0 = never)")
                       .Register(registry)
                       .Add({});
}

void EiMetrics::notification(Result r) {
  notifications_[static_cast<std::size_t>(r)]->Increment();
  if (r == Result::ok) {
    last_success_->Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
}

void EiMetrics::transactions(const ApplySummary& s) {
  created_->Increment(static_cast<double>(s.created));
  updated_->Increment(static_cast<double>(s.updated));
  deleted_->Increment(static_cast<double>(s.deleted));
  unknown_deletes_->Increment(static_cast<double>(s.unknown_deletes));
  stale_->Increment(static_cast<double>(s.stale));
  duplicates_->Increment(static_cast<double>(s.duplicates));
  other_domain_->Increment(static_cast<double>(s.other_domain));
  invalid_->Increment(static_cast<double>(s.invalid_person));
}

}  // namespace bokade::ei
