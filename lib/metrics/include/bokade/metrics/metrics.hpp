#pragma once
// The daemon's Prometheus registry (prometheus-cpp core), exposed by our own HTTP server.
//
// Conventions (STYLE.md): names bokade_<noun>_<unit>[_total], base units, bounded labels only
// (never a person or a clinic), every known label set created at start so series exist at 0.
// Families are built once and callers keep references: a label lookup costs far more than an increment.

#include <chrono>
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

  static const std::vector<unsigned>& known_statuses();

 private:
  std::map<std::pair<std::string, unsigned>, prometheus::Counter*, std::less<>> requests_;
  std::map<std::string, prometheus::Histogram*, std::less<>> durations_;
  prometheus::Family<prometheus::Counter>* requests_family_;
  prometheus::Family<prometheus::Histogram>* durations_family_;
  prometheus::Gauge* open_connections_;
  prometheus::Counter* rejected_connections_;
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
