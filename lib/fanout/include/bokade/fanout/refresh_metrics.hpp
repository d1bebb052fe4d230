#pragma once
// Refresher metrics. Labels: booking system (from config, plus "other") and outcome — never a person
// or a clinic. Every series exists from start.

#include <map>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "bokade/core/outcome.hpp"

namespace bokade::fanout {

class RefreshMetrics {
 public:
  RefreshMetrics(prometheus::Registry& registry, const std::vector<std::string>& booking_systems);
  void call(const std::string& system, Outcome outcome, double seconds);
  void not_called(const std::string& system, Outcome outcome);  // TAK, breaker or deadline
  void rate_limit_wait(const std::string& system, double seconds);
  void in_flight(const std::string& system, int delta);
  void breaker_open(const std::string& system, bool open);
  void refresh_done();

 private:
  struct PerSystem {
    std::map<Outcome, prometheus::Counter*> calls;
    std::map<Outcome, prometheus::Counter*> skipped;
    prometheus::Histogram* duration = nullptr;
    prometheus::Counter* waits = nullptr;
    prometheus::Counter* wait_seconds = nullptr;
    prometheus::Gauge* in_flight = nullptr;
    prometheus::Gauge* breaker = nullptr;
  };
  PerSystem& of(const std::string& system);
  std::map<std::string, PerSystem> systems_;
  prometheus::Counter* refreshes_ = nullptr;
};

}  // namespace bokade::fanout
