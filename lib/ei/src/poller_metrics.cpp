#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "bokade/ei/find_content_poller.hpp"

namespace bokade::ei {

PollerMetrics::PollerMetrics(prometheus::Registry& registry) {
  auto& calls = prometheus::BuildCounter()
                    .Name("bokade_ei_find_content_calls_total")
                    .Help("FindContent calls to the engagement index, by outcome")
                    .Register(registry);
  for (const auto o : all_outcomes) calls_[static_cast<std::size_t>(o)] = &calls.Add({{"outcome", std::string(to_string(o))}});
  persons_ = &prometheus::BuildGauge()
                  .Name("bokade_watch_set_persons")
                  .Help("Persons in the watch set (scheduled for FindContent polls)")
                  .Register(registry)
                  .Add({});
  lag_ = &prometheus::BuildGauge()
              .Name("bokade_schedule_lag_seconds")
              .Help("How far the FindContent poller is behind: now minus the oldest due time (0 = on time)")
              .Register(registry)
              .Add({});
}

void PollerMetrics::call(Outcome o) { calls_[static_cast<std::size_t>(o)]->Increment(); }
void PollerMetrics::watch_set_persons(std::uint64_t n) { persons_->Set(static_cast<double>(n)); }
void PollerMetrics::schedule_lag(double seconds) { lag_->Set(seconds); }

}  // namespace bokade::ei
