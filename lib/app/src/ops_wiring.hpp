#pragma once
// Metrics for operators that read other parts' state at scrape time (the write queue's counts, the TAK
// snapshot), kept apart from app.cpp so the wiring of the daemon's parts stays readable.

#include <memory>

namespace bokade::metrics {
class Metrics;
}
namespace bokade::store {
class WriteQueue;
}
namespace bokade::tak {
class TakSource;
}

namespace bokade::app {

// Registers bokade_store_write_* and bokade_tak_* (every series at 0 from now on) and a scrape hook that
// refreshes them. The hook owns the metric objects; `write_queue` must outlive scrapes (it does: the
// listeners stop before the queue goes).
void wire_ops_metrics(metrics::Metrics& metrics, const store::WriteQueue& write_queue,
                      std::shared_ptr<const tak::TakSource> tak);

}  // namespace bokade::app
