#include "bokade/metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <chrono>

namespace bokade::metrics {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Metrics::Metrics(std::string_view version) : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("bokade_build_info")
      .Help("Build information; the value is always 1")
      .Register(*registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("bokade_start_timestamp_seconds")
      .Help("When this bokaded process started (Unix time)")
      .Register(*registry_)
      .Add({})
      .Set(now_seconds());
}

void Metrics::on_scrape(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

std::string Metrics::render() {
  for (auto& hook : hooks_) hook();
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

const std::vector<unsigned>& HttpMetrics::known_statuses() {
  static const std::vector<unsigned> codes{200, 400, 404, 405, 408, 413, 431, 500, 503};
  return codes;
}

HttpMetrics::HttpMetrics(prometheus::Registry& registry, std::string_view listener,
                         const std::vector<std::string>& routes)
    : listener_(listener) {
  requests_family_ = &prometheus::BuildCounter()
                          .Name("bokade_http_requests_total")
                          .Help("HTTP requests answered, by listener, route and status code")
                          .Register(registry);
  durations_family_ = &prometheus::BuildHistogram()
                           .Name("bokade_http_request_duration_seconds")
                           .Help("Time from a request's last byte read to its response's last byte written")
                           .Register(registry);
  for (const auto& route : routes) {
    for (unsigned code : known_statuses()) {
      requests_[{route, code}] =
          &requests_family_->Add({{"listener", listener_}, {"route", route}, {"code", std::to_string(code)}});
    }
    durations_[route] = &durations_family_->Add(
        {{"listener", listener_}, {"route", route}},
        prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                2.5, 5, 10});
  }
  open_connections_ = &prometheus::BuildGauge()
                           .Name("bokade_http_open_connections")
                           .Help("HTTP connections open now, by listener")
                           .Register(registry)
                           .Add({{"listener", listener_}});
  rejected_connections_ = &prometheus::BuildCounter()
                               .Name("bokade_http_rejected_connections_total")
                               .Help("HTTP connections closed at once because the listener was at its cap")
                               .Register(registry)
                               .Add({{"listener", listener_}});
}

void HttpMetrics::observe(std::string_view route, unsigned status, std::chrono::duration<double> elapsed) {
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = requests_.find(std::pair<std::string, unsigned>{std::string(route), status});
    if (it == requests_.end()) {
    // A status outside the known set: create its series once (still bounded by the routes and codes we emit).
      auto* c = &requests_family_->Add(
          {{"listener", listener_}, {"route", std::string(route)}, {"code", std::to_string(status)}});
      it = requests_.emplace(std::pair<std::string, unsigned>{std::string(route), status}, c).first;
    }
    counter = it->second;
  }
  counter->Increment();
  if (auto d = durations_.find(route); d != durations_.end()) d->second->Observe(elapsed.count());
}

void HttpMetrics::connection_opened() { open_connections_->Increment(); }
void HttpMetrics::connection_closed() { open_connections_->Decrement(); }
void HttpMetrics::connection_rejected() { rejected_connections_->Increment(); }

StoreMetrics::StoreMetrics(prometheus::Registry& registry, const std::vector<std::string>& columns) {
  auto& keys = prometheus::BuildGauge()
                   .Name("bokade_store_keys")
                   .Help("Estimated number of keys, by column family")
                   .Register(registry);
  auto& bytes = prometheus::BuildGauge()
                    .Name("bokade_store_bytes")
                    .Help("Bytes held in SST files and memtables, by column family")
                    .Register(registry);
  for (const auto& c : columns) gauges_[c] = {&keys.Add({{"column_family", c}}), &bytes.Add({{"column_family", c}})};
  auto& purges = prometheus::BuildCounter()
                     .Name("bokade_store_purged_total")
                     .Help("What retention removed: appointments past their start plus the grace period, and "
                           "persons whose watch expired")
                     .Register(registry);
  purged_appointments_ = &purges.Add({{"kind", "appointment"}});
  purged_persons_ = &purges.Add({{"kind", "person"}});
}

void StoreMetrics::purged(double appointments, double persons) {
  purged_appointments_->Increment(appointments);
  purged_persons_->Increment(persons);
}

void StoreMetrics::set(std::string_view column, double keys, double bytes) {
  if (auto it = gauges_.find(column); it != gauges_.end()) {
    it->second.first->Set(keys);
    it->second.second->Set(bytes);
  }
}

ConfigMetrics::ConfigMetrics(prometheus::Registry& registry) {
  auto& reloads = prometheus::BuildCounter()
                      .Name("bokade_config_reloads_total")
                      .Help("Configuration reloads (SIGHUP), by result")
                      .Register(registry);
  ok_ = &reloads.Add({{"result", "ok"}});
  failed_ = &reloads.Add({{"result", "error"}});
  last_success_ = &prometheus::BuildGauge()
                       .Name("bokade_config_last_reload_success_timestamp_seconds")
                       .Help("When the configuration was last loaded successfully (Unix time)")
                       .Register(registry)
                       .Add({});
  last_success_->Set(now_seconds());
}

void ConfigMetrics::reload_succeeded() {
  ok_->Increment();
  last_success_->Set(now_seconds());
}

void ConfigMetrics::reload_failed() { failed_->Increment(); }

}  // namespace bokade::metrics
