#include "bokade/coverage/coverage_metrics.hpp"

#include <chrono>

namespace bokade::coverage {

CoverageMetrics::CoverageMetrics(prometheus::Registry& registry, const std::vector<std::string>& regions,
                                 const std::vector<std::string>& booking_systems) {
  auto& appointments = prometheus::BuildGauge()
                           .Name("bokade_coverage_appointments")
                           .Help("Appointments in the cache by how they were found: path=both, relation_only "
                                 "(the legacy path only) or ei_only (the engagement-index path only)")
                           .Register(registry);
  auto& indexed = prometheus::BuildGauge()
                      .Name("bokade_coverage_indexed_appointments")
                      .Help("Appointments in the cache whose booking is indexed in the engagement index")
                      .Register(registry);
  // Coverage = relation_indexed / relation path (path both + relation_only); without this numerator the
  // ratio could not be computed from Prometheus, since `indexed` also counts what only the EI path finds.
  auto& relation_indexed = prometheus::BuildGauge()
                               .Name("bokade_coverage_relation_indexed_appointments")
                               .Help("Appointments the legacy relation path finds whose booking is indexed in the "
                                     "engagement index (the numerator of coverage)")
                               .Register(registry);
  auto r = regions;
  r.emplace_back(other_label);
  auto s = booking_systems;
  s.emplace_back(other_label);
  for (const auto& region : r) {
    for (const auto& system : s) {
      const prometheus::Labels base{{"region", region}, {"booking_system", system}};
      auto with_path = [&](const char* path) {
        auto l = base;
        l["path"] = path;
        return &appointments.Add(l);
      };
      cells_[{region, system}] = {with_path("both"), with_path("relation_only"), with_path("ei_only"),
                                  &indexed.Add(base), &relation_indexed.Add(base)};
    }
  }
  computed_ = &prometheus::BuildGauge()
                   .Name("bokade_coverage_computed_timestamp_seconds")
                   .Help("When the coverage figures were last computed (Unix time; 0 = never)")
                   .Register(registry)
                   .Add({});
  took_ = &prometheus::BuildGauge()
               .Name("bokade_coverage_compute_duration_seconds")
               .Help("How long the last coverage computation took")
               .Register(registry)
               .Add({});
  persons_ = &prometheus::BuildGauge()
                  .Name("bokade_coverage_persons")
                  .Help("Persons with cached slices in the last coverage computation")
                  .Register(registry)
                  .Add({});
}

void CoverageMetrics::set(const Report& report) {
  for (auto& [key, cell] : cells_) {
    auto it = report.cells.find(key);
    const Counts c = it != report.cells.end() ? it->second : Counts{};
    cell.both->Set(static_cast<double>(c.both));
    cell.relation_only->Set(static_cast<double>(c.relation_only()));
    cell.ei_only->Set(static_cast<double>(c.ei_only()));
    cell.indexed->Set(static_cast<double>(c.indexed));
    cell.relation_indexed->Set(static_cast<double>(c.relation_and_indexed));
  }
  computed_->Set(std::chrono::duration<double>(report.computed_at.time_since_epoch()).count());
  took_->Set(std::chrono::duration<double>(report.took).count());
  persons_->Set(static_cast<double>(report.persons));
}

}  // namespace bokade::coverage
