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
  static const std::vector<unsigned> codes{200, 400, 403, 404, 405, 408, 413, 431, 500, 503};
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
  // Present (at 0) on plain listeners too, so that one alert rule fits every listener.
  tls_handshake_failures_ = &prometheus::BuildCounter()
                                 .Name("bokade_http_tls_handshake_failures_total")
                                 .Help("TLS handshakes that failed, by listener (no or unverifiable client "
                                       "certificate, plain HTTP on a TLS port, too slow)")
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
void HttpMetrics::tls_handshake_failed() { tls_handshake_failures_->Increment(); }

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

namespace {

// Moves a counter up to `total`, a cumulative count kept elsewhere. Never down: a counter that went
// backwards would read as a restart to Prometheus.
void advance_to(prometheus::Counter& counter, std::uint64_t total) {
  const double target = static_cast<double>(total);
  if (const double now = counter.Value(); target > now) counter.Increment(target - now);
}

}  // namespace

WriteQueueMetrics::WriteQueueMetrics(prometheus::Registry& registry) {
  batches_ = &prometheus::BuildCounter()
                  .Name("bokade_store_write_batches_total")
                  .Help("RocksDB WriteBatches written and synced by the group-commit write queue (one per group of "
                        "jobs)")
                  .Register(registry)
                  .Add({});
  auto& jobs = prometheus::BuildCounter()
                   .Name("bokade_store_write_jobs_total")
                   .Help("Write jobs (a notification, a refresh result, an import chunk, a purge) by result: ok, "
                         "failed (told of a storage error) or refused (queue full; only index notifications)")
                   .Register(registry);
  jobs_ok_ = &jobs.Add({{"result", "ok"}});
  jobs_failed_ = &jobs.Add({{"result", "failed"}});
  jobs_refused_ = &jobs.Add({{"result", "refused"}});
  pending_ = &prometheus::BuildGauge()
                  .Name("bokade_store_write_queue_jobs")
                  .Help("Write jobs waiting for the write queue now")
                  .Register(registry)
                  .Add({});
}

void WriteQueueMetrics::update(const WriteQueueFigures& f) {
  std::lock_guard lock(mutex_);
  advance_to(*batches_, f.batches);
  advance_to(*jobs_ok_, f.jobs >= f.failed ? f.jobs - f.failed : 0);
  advance_to(*jobs_failed_, f.failed);
  advance_to(*jobs_refused_, f.refused);
  pending_->Set(static_cast<double>(f.pending));
}

TakMetrics::TakMetrics(prometheus::Registry& registry) {
  auto& loads = prometheus::BuildCounter()
                    .Name("bokade_tak_loads_total")
                    .Help("Loads of the TAK export from its source, by result (ok includes unchanged exports)")
                    .Register(registry);
  loads_ok_ = &loads.Add({{"result", "ok"}});
  loads_failed_ = &loads.Add({{"result", "error"}});
  loaded_ = &prometheus::BuildGauge()
                 .Name("bokade_tak_snapshot_loaded_timestamp_seconds")
                 .Help("When the TAK source last delivered the snapshot in use (Unix time; 0 = not since start, "
                       "e.g. running on the cache file); its age is time() minus this")
                 .Register(registry)
                 .Add({});
  from_cache_ = &prometheus::BuildGauge()
                     .Name("bokade_tak_snapshot_from_cache")
                     .Help("1 while the TAK snapshot in use was read from the local cache file, not the source")
                     .Register(registry)
                     .Add({});
  auto& entries = prometheus::BuildGauge()
                      .Name("bokade_tak_snapshot_entries")
                      .Help("Entries in the TAK snapshot in use: kind=permission (anropsbehorighet) or route "
                            "(vagval); 0 = no snapshot")
                      .Register(registry);
  permissions_ = &entries.Add({{"kind", "permission"}});
  routes_ = &entries.Add({{"kind", "route"}});
}

void TakMetrics::update(const TakFigures& f) {
  std::lock_guard lock(mutex_);
  advance_to(*loads_ok_, f.loads_ok);
  advance_to(*loads_failed_, f.loads_failed);
  loaded_->Set(f.last_success_seconds);
  from_cache_->Set(f.from_cache ? 1 : 0);
  permissions_->Set(static_cast<double>(f.permissions));
  routes_->Set(static_cast<double>(f.routes));
}

ImportMetrics::ImportMetrics(prometheus::Registry& registry) {
  processed_ = &prometheus::BuildGauge()
                    .Name("bokade_relations_import_processed")
                    .Help("Relations of the running (or last) relations import stored so far")
                    .Register(registry)
                    .Add({});
  expected_ = &prometheus::BuildGauge()
                   .Name("bokade_relations_import_expected")
                   .Help("Relations in the running (or last) relations import")
                   .Register(registry)
                   .Add({});
  started_at_ = &prometheus::BuildGauge()
                     .Name("bokade_relations_import_started_timestamp_seconds")
                     .Help("When the running (or last) relations import started (Unix time; 0 = none since start)")
                     .Register(registry)
                     .Add({});
}

void ImportMetrics::started(double expected) {
  processed_->Set(0);
  expected_->Set(expected);
  started_at_->Set(now_seconds());
}

void ImportMetrics::progressed(double processed) { processed_->Set(processed); }

ViewCacheMetrics::ViewCacheMetrics(prometheus::Registry& registry) {
  auto& lookups = prometheus::BuildCounter()
                      .Name("bokade_view_cache_lookups_total")
                      .Help("Queries (JSON, ICS) that looked for a rendered answer in the view cache, by result")
                      .Register(registry);
  hits_ = &lookups.Add({{"result", "hit"}});
  misses_ = &lookups.Add({{"result", "miss"}});
  entries_ = &prometheus::BuildGauge()
                  .Name("bokade_view_cache_entries")
                  .Help("Rendered answers kept in the view cache")
                  .Register(registry)
                  .Add({});
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
