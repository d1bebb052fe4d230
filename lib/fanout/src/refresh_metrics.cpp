#include "bokade/fanout/refresh_metrics.hpp"

#include "bokade/fanout/refresher.hpp"

namespace bokade::fanout {

RefreshMetrics::RefreshMetrics(prometheus::Registry& registry, const std::vector<std::string>& booking_systems) {
  calls_family_ = &prometheus::BuildCounter()
                       .Name("bokade_source_calls_total")
                       .Help("GetSubjectOfCareSchedule calls made, by booking system and outcome (retries count)")
                       .Register(registry);
  skipped_family_ = &prometheus::BuildCounter()
                         .Name("bokade_source_calls_skipped_total")
                         .Help("Calls not made: TAK forbids the address, the breaker is open, or no time was left")
                         .Register(registry);
  duration_family_ = &prometheus::BuildHistogram()
                          .Name("bokade_source_call_duration_seconds")
                          .Help("Duration of GetSubjectOfCareSchedule calls, by booking system")
                          .Register(registry);
  waits_family_ = &prometheus::BuildCounter()
                       .Name("bokade_source_rate_limit_waits_total")
                       .Help("Calls that waited for the booking system's rate limit")
                       .Register(registry);
  wait_seconds_family_ = &prometheus::BuildCounter()
                              .Name("bokade_source_rate_limit_wait_seconds_total")
                              .Help("Time spent waiting for booking systems' rate limits")
                              .Register(registry);
  in_flight_family_ = &prometheus::BuildGauge()
                           .Name("bokade_source_calls_in_flight")
                           .Help("GetSubjectOfCareSchedule calls under way, by booking system")
                           .Register(registry);
  breaker_family_ = &prometheus::BuildGauge()
                         .Name("bokade_source_breaker_open")
                         .Help("1 while the booking system's circuit breaker is open or half-open")
                         .Register(registry);
  for (const auto& name : booking_systems) register_system(name);
  register_system(std::string(other_booking_system));
  refreshes_ = &prometheus::BuildCounter()
                    .Name("bokade_refreshes_total")
                    .Help("Person refreshes completed")
                    .Register(registry)
                    .Add({});
}

void RefreshMetrics::register_system(const std::string& name) {
  if (systems_.contains(name)) return;
  auto& p = systems_[name];
  for (Outcome o : all_outcomes) {
    p.calls[o] = &calls_family_->Add({{"booking_system", name}, {"outcome", std::string(to_string(o))}});
  }
  for (Outcome o : {Outcome::not_authorized, Outcome::no_route, Outcome::circuit_open, Outcome::timeout}) {
    p.skipped[o] = &skipped_family_->Add({{"booking_system", name}, {"reason", std::string(to_string(o))}});
  }
  p.duration = &duration_family_->Add(
      {{"booking_system", name}},
      prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  p.waits = &waits_family_->Add({{"booking_system", name}});
  p.wait_seconds = &wait_seconds_family_->Add({{"booking_system", name}});
  p.in_flight = &in_flight_family_->Add({{"booking_system", name}});
  p.breaker = &breaker_family_->Add({{"booking_system", name}});
}

void RefreshMetrics::add_booking_system(const std::string& booking_system) {
  std::unique_lock lock(mutex_);
  register_system(booking_system);
}

RefreshMetrics::PerSystem& RefreshMetrics::of(const std::string& system) {
  std::shared_lock lock(mutex_);
  auto it = systems_.find(system);
  return it != systems_.end() ? it->second : systems_.at(std::string(other_booking_system));
}

void RefreshMetrics::call(const std::string& system, Outcome outcome, double seconds) {
  auto& p = of(system);
  p.calls.at(outcome)->Increment();
  p.duration->Observe(seconds);
}

void RefreshMetrics::not_called(const std::string& system, Outcome outcome) {
  auto& p = of(system);
  if (auto it = p.skipped.find(outcome); it != p.skipped.end()) it->second->Increment();
}

void RefreshMetrics::rate_limit_wait(const std::string& system, double seconds) {
  auto& p = of(system);
  p.waits->Increment();
  p.wait_seconds->Increment(seconds);
}

void RefreshMetrics::in_flight(const std::string& system, int delta) { of(system).in_flight->Increment(delta); }
void RefreshMetrics::breaker_open(const std::string& system, bool open) { of(system).breaker->Set(open ? 1 : 0); }
void RefreshMetrics::refresh_done() { refreshes_->Increment(); }

}  // namespace bokade::fanout
