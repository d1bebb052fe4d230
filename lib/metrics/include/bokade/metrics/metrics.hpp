#pragma once
// The daemon's Prometheus registry (prometheus-cpp core), exposed by our own HTTP server.
//
// Conventions (STYLE.md): names bokade_<noun>_<unit>[_total], base units, bounded labels only
// (never a person or a clinic), every known label set created at start so series exist at 0.
// Families are built once and callers keep references: a label lookup costs far more than an increment.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace bokade::metrics {

class Metrics {
 public:
  explicit Metrics(std::string_view version);

  prometheus::Registry& registry() noexcept { return *registry_; }

  // Called just before each scrape, e.g. to read store sizes.
  void on_scrape(std::function<void()> hook);

  // Text exposition format 0.0.4.
  std::string render();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::function<void()>> hooks_;
};

// HTTP server metrics for one listener: every (route, code) pair the server can answer is created at start.
class HttpMetrics {
 public:
  HttpMetrics(prometheus::Registry& registry, std::string_view listener, const std::vector<std::string>& routes);
  void observe(std::string_view route, unsigned status, std::chrono::duration<double> elapsed);
  void connection_opened();
  void connection_closed();
  void connection_rejected();
  // A TLS handshake that failed (no or unverifiable client certificate, plain HTTP, too slow).
  void tls_handshake_failed();

  static const std::vector<unsigned>& known_statuses();

 private:
  std::map<std::pair<std::string, unsigned>, prometheus::Counter*, std::less<>> requests_;
  std::map<std::string, prometheus::Histogram*, std::less<>> durations_;
  prometheus::Family<prometheus::Counter>* requests_family_;
  prometheus::Family<prometheus::Histogram>* durations_family_;
  prometheus::Gauge* open_connections_;
  prometheus::Counter* rejected_connections_;
  prometheus::Counter* tls_handshake_failures_;
  std::string listener_;
  std::mutex mutex_;  // guards requests_ when a status outside known_statuses() first appears
};

// Gauges for the database, one series per column family.
class StoreMetrics {
 public:
  StoreMetrics(prometheus::Registry& registry, const std::vector<std::string>& columns);
  void set(std::string_view column, double keys, double bytes);
  void purged(double appointments, double persons);

 private:
  std::map<std::string, std::pair<prometheus::Gauge*, prometheus::Gauge*>, std::less<>> gauges_;
  prometheus::Counter* purged_appointments_ = nullptr;
  prometheus::Counter* purged_persons_ = nullptr;
};

// The group-commit write queue (store::WriteQueue), mirrored from its cumulative counts at each scrape.
// Plain numbers in, so this library needs nothing from the store.
struct WriteQueueFigures {
  std::uint64_t batches = 0;  // synced WriteBatches (one per group of jobs)
  std::uint64_t jobs = 0;     // jobs written or told of a failure
  std::uint64_t failed = 0;   // of jobs: told of a failure
  std::uint64_t refused = 0;  // refused at submit (queue full; the index delivers again)
  std::uint64_t pending = 0;  // waiting now
};

class WriteQueueMetrics {
 public:
  explicit WriteQueueMetrics(prometheus::Registry& registry);
  // Safe from concurrent scrapes: counters only move forward by the difference.
  void update(const WriteQueueFigures& figures);

 private:
  prometheus::Counter* batches_;
  prometheus::Counter* jobs_ok_;
  prometheus::Counter* jobs_failed_;
  prometheus::Counter* jobs_refused_;
  prometheus::Gauge* pending_;
  std::mutex mutex_;
};

// The TAK snapshot in use (tak::TakSource), mirrored at each scrape.
struct TakFigures {
  std::uint64_t loads_ok = 0;      // good loads from the source, unchanged ones included
  std::uint64_t loads_failed = 0;  // unreachable, HTTP error, timeout, malformed export
  // When the source last delivered a good export (Unix seconds); 0 = not since start.
  double last_success_seconds = 0;
  bool from_cache = false;  // the snapshot in use came from the cache file, not the source
  std::uint64_t permissions = 0;
  std::uint64_t routes = 0;
};

class TakMetrics {
 public:
  explicit TakMetrics(prometheus::Registry& registry);
  void update(const TakFigures& figures);

 private:
  prometheus::Counter* loads_ok_;
  prometheus::Counter* loads_failed_;
  prometheus::Gauge* loaded_;
  prometheus::Gauge* from_cache_;
  prometheus::Gauge* permissions_;
  prometheus::Gauge* routes_;
  std::mutex mutex_;
};

// Progress of a legacy relations import (POST /admin/relations, bokadectl import-relations): how many of
// the file's relations are stored, of how many, since when — the rate and the ETA follow in PromQL.
class ImportMetrics {
 public:
  explicit ImportMetrics(prometheus::Registry& registry);
  void started(double expected);
  void progressed(double processed);

 private:
  prometheus::Gauge* processed_;
  prometheus::Gauge* expected_;
  prometheus::Gauge* started_at_;
};

// The query listener's view cache (refresh.view_cache_entries).
class ViewCacheMetrics {
 public:
  explicit ViewCacheMetrics(prometheus::Registry& registry);
  void hit() { hits_->Increment(); }
  void miss() { misses_->Increment(); }
  void entries(double n) { entries_->Set(n); }

 private:
  prometheus::Counter* hits_;
  prometheus::Counter* misses_;
  prometheus::Gauge* entries_;
};

// Configuration reloads (SIGHUP).
class ConfigMetrics {
 public:
  explicit ConfigMetrics(prometheus::Registry& registry);
  void reload_succeeded();
  void reload_failed();

 private:
  prometheus::Counter* ok_;
  prometheus::Counter* failed_;
  prometheus::Gauge* last_success_;
};

}  // namespace bokade::metrics
