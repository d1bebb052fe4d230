// The metric classes the operators' view added (write queue, TAK), read the way Prometheus reads them:
// through the text exposition. They mirror cumulative counts kept elsewhere, so a counter must follow
// them up and never go down (a drop would read as a process restart).

#include <doctest/doctest.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "bokade/metrics/metrics.hpp"

namespace {

std::string exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

}  // namespace

TEST_CASE("write queue metrics follow the queue's counts, every series present before the first update") {
  prometheus::Registry registry;
  bokade::metrics::WriteQueueMetrics m(registry);
  auto text = exposition(registry);
  CHECK(has(text, "bokade_store_write_batches_total 0"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="ok"} 0)"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="failed"} 0)"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="refused"} 0)"));
  CHECK(has(text, "bokade_store_write_queue_jobs 0"));

  m.update({.batches = 3, .jobs = 10, .failed = 1, .refused = 2, .pending = 4});
  text = exposition(registry);
  CHECK(has(text, "bokade_store_write_batches_total 3"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="ok"} 9)"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="failed"} 1)"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="refused"} 2)"));
  CHECK(has(text, "bokade_store_write_queue_jobs 4"));

  // Two scrapes racing with an older snapshot of the counts: the counters stay where they were.
  m.update({.batches = 2, .jobs = 8, .failed = 1, .refused = 2, .pending = 0});
  text = exposition(registry);
  CHECK(has(text, "bokade_store_write_batches_total 3"));
  CHECK(has(text, R"(bokade_store_write_jobs_total{result="ok"} 9)"));
  CHECK(has(text, "bokade_store_write_queue_jobs 0"));
}

TEST_CASE("TAK metrics: entries, loads and when the snapshot in use was delivered") {
  prometheus::Registry registry;
  bokade::metrics::TakMetrics m(registry);
  auto text = exposition(registry);
  CHECK(has(text, R"(bokade_tak_snapshot_entries{kind="permission"} 0)"));
  CHECK(has(text, R"(bokade_tak_snapshot_entries{kind="route"} 0)"));
  CHECK(has(text, R"(bokade_tak_loads_total{result="ok"} 0)"));
  CHECK(has(text, R"(bokade_tak_loads_total{result="error"} 0)"));
  CHECK(has(text, "bokade_tak_snapshot_loaded_timestamp_seconds 0"));
  CHECK(has(text, "bokade_tak_snapshot_from_cache 0"));

  m.update({.loads_ok = 2,
            .loads_failed = 1,
            .last_success_seconds = 1767225600,
            .from_cache = false,
            .permissions = 1200,
            .routes = 300});
  text = exposition(registry);
  CHECK(has(text, R"(bokade_tak_snapshot_entries{kind="permission"} 1200)"));
  CHECK(has(text, R"(bokade_tak_snapshot_entries{kind="route"} 300)"));
  CHECK(has(text, R"(bokade_tak_loads_total{result="ok"} 2)"));
  CHECK(has(text, R"(bokade_tak_loads_total{result="error"} 1)"));
  CHECK(has(text, "bokade_tak_snapshot_loaded_timestamp_seconds 1767225600"));
}
