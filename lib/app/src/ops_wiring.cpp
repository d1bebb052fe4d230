#include "ops_wiring.hpp"

#include <chrono>

#include "bokade/metrics/metrics.hpp"
#include "bokade/store/write_queue.hpp"
#include "bokade/tak/tak_source.hpp"

namespace bokade::app {

void wire_ops_metrics(metrics::Metrics& metrics, const store::WriteQueue& write_queue,
                      std::shared_ptr<const tak::TakSource> tak) {
  auto write_metrics = std::make_shared<metrics::WriteQueueMetrics>(metrics.registry());
  auto tak_metrics = std::make_shared<metrics::TakMetrics>(metrics.registry());
  metrics.on_scrape([write_metrics, tak_metrics, &write_queue, tak = std::move(tak)] {
    const auto w = write_queue.stats();
    write_metrics->update({.batches = w.groups,
                           .jobs = w.jobs,
                           .failed = w.failed,
                           .refused = w.refused,
                           .pending = write_queue.pending()});
    if (!tak) return;
    const auto t = tak->stats();
    metrics::TakFigures f;
    f.loads_ok = t.loads_ok;
    f.loads_failed = t.loads_failed;
    // The snapshot in use came from the source when it did not come from the cache file; its last good
    // load (an unchanged export included) is how fresh it is.
    if (t.last_success && !t.from_cache) {
      f.last_success_seconds = static_cast<double>(t.last_success->time_since_epoch().count());
    }
    f.from_cache = t.from_cache;
    f.permissions = t.counts.permissions;
    f.routes = t.counts.routes;
    tak_metrics->update(f);
  });
}

}  // namespace bokade::app
