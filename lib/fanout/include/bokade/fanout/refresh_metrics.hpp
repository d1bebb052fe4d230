#pragma once
// Refresher metrics. Labels: booking system (from config, plus "other") and outcome — never a person
// or a clinic. Every series of the booking systems configured at start exists from start; one a reload
// adds gets all its series (at 0) when the reload applies, before any call can be counted under it. One
// a reload removes keeps its series (counters never go back).

#include <map>
#include <shared_mutex>
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
  // Registers every series of `booking_system`; nothing when it has them already. Thread-safe.
  void add_booking_system(const std::string& booking_system);
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
  void register_system(const std::string& name);  // with mutex_ held exclusively (or in the constructor)
  prometheus::Family<prometheus::Counter>* calls_family_ = nullptr;
  prometheus::Family<prometheus::Counter>* skipped_family_ = nullptr;
  prometheus::Family<prometheus::Histogram>* duration_family_ = nullptr;
  prometheus::Family<prometheus::Counter>* waits_family_ = nullptr;
  prometheus::Family<prometheus::Counter>* wait_seconds_family_ = nullptr;
  prometheus::Family<prometheus::Gauge>* in_flight_family_ = nullptr;
  prometheus::Family<prometheus::Gauge>* breaker_family_ = nullptr;
  // Nodes of a std::map stay put, so a PerSystem& found under a shared lock outlives the lock.
  mutable std::shared_mutex mutex_;
  std::map<std::string, PerSystem> systems_;
  prometheus::Counter* refreshes_ = nullptr;
};

}  // namespace bokade::fanout
