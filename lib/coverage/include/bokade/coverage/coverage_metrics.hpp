#pragma once
// Coverage as Prometheus gauges, set from the latest Report. Labels: region and booking system from the
// configuration (plus "other"), path — never a clinic (clinics are in the JSON gap list).

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "bokade/coverage/coverage.hpp"

namespace bokade::coverage {

class CoverageMetrics {
 public:
  CoverageMetrics(prometheus::Registry& registry, const std::vector<std::string>& regions,
                  const std::vector<std::string>& booking_systems);
  void set(const Report& report);

 private:
  struct Cell {
    prometheus::Gauge* both = nullptr;
    prometheus::Gauge* relation_only = nullptr;
    prometheus::Gauge* ei_only = nullptr;
    prometheus::Gauge* indexed = nullptr;
    prometheus::Gauge* relation_indexed = nullptr;  // coverage's numerator (relation path and indexed)
  };
  std::map<std::pair<std::string, std::string>, Cell> cells_;
  prometheus::Gauge* computed_ = nullptr;
  prometheus::Gauge* took_ = nullptr;
  prometheus::Gauge* persons_ = nullptr;
};

}  // namespace bokade::coverage
