#pragma once
// Engagement follower metrics: notifications by result, transactions by kind, last success.
// Names follow docs/metrics conventions: bokade_ei_*, bounded labels only.

#include <array>
#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace bokade::ei {

struct ApplySummary;

class EiMetrics {
 public:
  enum class Result : std::uint8_t { ok, malformed, overloaded, storage_error };
  explicit EiMetrics(prometheus::Registry& registry);
  void notification(Result r);
  void transactions(const ei::ApplySummary& s);

 private:
  std::array<prometheus::Counter*, 4> notifications_{};
  prometheus::Counter* created_;
  prometheus::Counter* updated_;
  prometheus::Counter* deleted_;
  prometheus::Counter* unknown_deletes_;
  prometheus::Counter* stale_;
  prometheus::Counter* duplicates_;
  prometheus::Counter* other_domain_;
  prometheus::Counter* invalid_;
  prometheus::Gauge* last_success_;
};

}  // namespace bokade::ei
