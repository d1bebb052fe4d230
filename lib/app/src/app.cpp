#include "bokade/app/app.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <openssl/rand.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <unistd.h>

#include <boost/json.hpp>

#include "bokade/core/log.hpp"
#include "bokade/core/hsa_id.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/ei/ei_metrics.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/ei/find_content_poller.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/ei/notification_receiver.hpp"
#include "bokade/coverage/coverage.hpp"
#include "bokade/coverage/coverage_metrics.hpp"
#include "bokade/coverage/relations.hpp"
#include "bokade/fanout/refresh_metrics.hpp"
#include "bokade/fanout/refresh_queue.hpp"
#include "bokade/fanout/refresher.hpp"
#include "bokade/fanout/retention.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/async_commit.hpp"
#include "bokade/store/keys.hpp"
#include "bokade/store/write_queue.hpp"
#include "bokade/tak/tak_source.hpp"
#include "bokade/metrics/metrics.hpp"
#include "bokade/net/http_server.hpp"
#include "bokade/store/store.hpp"

#ifndef BOKADE_VERSION
#define BOKADE_VERSION "0.0.0"
#endif

namespace bokade::app {
namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;

std::string_view version() noexcept { return BOKADE_VERSION; }

namespace {

log::Level to_log_level(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::trace: return log::Level::trace;
    case config::LogLevel::debug: return log::Level::debug;
    case config::LogLevel::info: return log::Level::info;
    case config::LogLevel::warn: return log::Level::warn;
    case config::LogLevel::error: return log::Level::error;
  }
  return log::Level::info;
}

std::string random_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::to_string(std::random_device{}());
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

Status write_ready_file(const std::filesystem::path& path, const std::string& content) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return fail(fmt::format("cannot write ready file {}", tmp));
    out << content << '\n';
    if (!out.flush()) return fail(fmt::format("cannot write ready file {}", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(fmt::format("cannot move ready file into place at {}: {}", path.string(), ec.message()));
  return {};
}

net::ServerOptions query_server_options(const config::QueryListener& q) {
  net::ServerOptions o;
  o.name = "query";
  o.address = q.address;
  o.port = q.port;
  o.max_connections = q.max_connections;
  o.request_timeout = q.request_timeout;
  o.max_body_bytes = q.max_body;
  o.max_header_bytes = q.max_header;
  return o;
}

net::ServerOptions admin_server_options(const config::AdminListener& a) {
  net::ServerOptions o;
  o.name = "admin";
  o.address = a.address;
  o.port = a.port;
  o.max_connections = 64;
  return o;
}

}  // namespace

struct App::Impl {
  Impl(config::Config c, AppOptions o) : options(std::move(o)), config(std::make_shared<const config::Config>(std::move(c))) {}

  AppOptions options;
  std::mutex config_mutex;
  std::shared_ptr<const config::Config> config;  // swapped whole on reload
  std::string person_hash_key;

  asio::io_context ioc;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::WriteQueue> write_queue;
  std::unique_ptr<ei::EiMetrics> ei_metrics;
  std::unique_ptr<ei::NotificationReceiver> notifications;
  std::shared_ptr<net::HttpClient> vp_client;
  std::shared_ptr<tak::TakSource> tak;
  std::unique_ptr<fanout::RefreshMetrics> refresh_metrics;
  std::unique_ptr<fanout::Refresher> refresher;
  std::unique_ptr<fanout::RefreshQueue> refresh_queue;
  std::unique_ptr<coverage::CoverageMetrics> coverage_metrics;
  std::unique_ptr<ei::WatchSet> watch_set;
  std::unique_ptr<ei::PollerMetrics> poller_metrics;
  std::unique_ptr<ei::FindContentPoller> poller;
  asio::thread_pool background{1};  // long scans (coverage) run here, never on the I/O threads
  asio::strand<asio::io_context::executor_type> coverage_strand{asio::make_strand(ioc)};
  asio::steady_timer coverage_timer{coverage_strand};   // used only on coverage_strand
  asio::steady_timer retention_timer{coverage_strand};  // likewise
  std::unique_ptr<metrics::Metrics> metrics;
  std::unique_ptr<metrics::StoreMetrics> store_metrics;
  std::unique_ptr<metrics::ConfigMetrics> config_metrics;
  std::unique_ptr<metrics::HttpMetrics> admin_http_metrics;
  std::unique_ptr<metrics::HttpMetrics> query_http_metrics;
  std::unique_ptr<net::HttpServer> admin_server;
  std::unique_ptr<net::HttpServer> query_server;
  std::atomic<bool> ready{false};
  std::atomic<bool> stopping{false};

  std::shared_ptr<const config::Config> current_config() {
    std::lock_guard lock(config_mutex);
    return config;
  }

  net::Router admin_router();
  net::Router query_router();
  HttpResponse person_view(std::string_view id_text);
  HttpResponse request_refresh(std::string_view id_text);
  HttpResponse sources_view();
  asio::awaitable<Expected<coverage::Report>> compute_coverage();
  asio::awaitable<HttpResponse> import_relations(std::string body);
  asio::awaitable<void> coverage_loop();
  asio::awaitable<void> retention_loop();
  std::set<std::string> addresses_of(const PersonId& person);
  void reload();
  asio::awaitable<void> handle_signals(asio::signal_set& signals);
  asio::awaitable<void> drain();
};

net::Router App::Impl::admin_router() {
  net::Router r;
  r.add("GET", "/healthz", "healthz", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, "ok\n");
  });
  r.add("GET", "/readyz", "readyz", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    if (stopping) co_return HttpResponse::text(503, "stopping\n");
    if (!ready) co_return HttpResponse::text(503, "starting\n");
    co_return HttpResponse::text(200, "ready\n");
  });
  r.add("GET", "/metrics", "metrics", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    HttpResponse res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = metrics->render();
    co_return res;
  });
  r.add("GET", "/admin/persons/{id}", "admin_person", [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
    co_return person_view(req.params.at(0));
  });
  r.add("POST", "/admin/persons/{id}/refresh", "admin_refresh",
        [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return request_refresh(req.params.at(0)); });
  r.add("GET", "/admin/sources", "admin_sources", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return sources_view();
  });
  r.add("GET", "/admin/coverage", "admin_coverage", [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
    std::size_t limit = 20;
    if (auto l = req.query_param("limit")) {
      try {
        limit = std::stoul(*l);
      } catch (const std::exception&) {
        co_return HttpResponse::problem(400, "Bad Request", "limit must be a whole number");
      }
    }
    auto report = co_await compute_coverage();
    if (!report) co_return HttpResponse::problem(500, "Internal Server Error", report.error().message);
    co_return HttpResponse::json(200, coverage::to_json(*report, limit));
  });
  r.add(
      "POST", "/admin/relations", "admin_relations",
      [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return co_await import_relations(req.body); },
      std::size_t{512} << 20);
  return r;
}

net::Router App::Impl::query_router() {
  net::Router r;
  r.add("GET", "/healthz", "healthz", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, "ok\n");
  });
  r.add(
      "POST", std::string(ei::process_notification_path), "process_notification",
      [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return co_await notifications->handle(req); },
      std::max<std::size_t>(current_config()->listen.query.max_body, 16u << 20));
  return r;
}

// What bokade holds about one person, for operators: engagements per logical address. The person
// appears masked; the id itself is only in the request.
HttpResponse App::Impl::person_view(std::string_view id_text) {
  auto person = PersonId::parse(id_text);
  if (!person) return HttpResponse::problem(400, "Bad Request", "not a usable person id: " + person.error().message);
  auto engagements = ei::engagements_of(*store, *person, true);
  if (!engagements) return HttpResponse::problem(500, "Internal Server Error", "the store could not be read");
  boost::json::array list;
  for (const auto& e : *engagements) {
    boost::json::object o;
    o["logicalAddress"] = e.key.logical_address;
    o["bookingId"] = e.key.business_object_instance_identifier;
    o["sourceSystem"] = e.key.source_system;
    o["serviceDomain"] = e.key.service_domain;
    o["categorization"] = e.key.categorization;
    o["deleted"] = e.record.deleted;
    if (e.record.most_recent_content) o["mostRecentContent"] = format_iso_local(*e.record.most_recent_content);
    if (e.record.update_time) o["updateTime"] = format_iso_local(*e.record.update_time);
    o["lastSeen"] = format_iso_utc(e.record.last_seen);
    list.push_back(std::move(o));
  }
  boost::json::array slices;
  if (auto rows = store->scan_prefix(store::Column::slices, store::person_key(*person))) {
    for (const auto& [k, v] : *rows) {
      auto slice = store::decode_slice(v);
      if (!slice) continue;
      const auto& st = slice->status;
      boost::json::object o;
      o["logicalAddress"] = st.logical_address;
      o["status"] = std::string(to_string(st.code));
      o["lastOutcome"] = std::string(to_string(st.last_outcome));
      o["appointmentCount"] = slice->appointments.size();
      if (st.last_success) o["lastSuccessfulSynch"] = format_iso_utc(*st.last_success);
      if (st.last_failure) o["lastUnsuccessfulSynch"] = format_iso_utc(*st.last_failure);
      if (!st.error_code.empty() || !st.error_text.empty()) o["lastError"] = st.error_code + " " + st.error_text;
      boost::json::array appointments;
      for (const auto& a : slice->appointments) {
        boost::json::object ap;
        ap["bookingId"] = a.booking_id;
        ap["healthcareFacility"] = a.healthcare_facility;
        if (a.start) ap["start"] = format_iso_local(*a.start);
        appointments.push_back(std::move(ap));
      }
      o["appointments"] = std::move(appointments);
      slices.push_back(std::move(o));
    }
  }
  boost::json::object body;
  body["person"] = person->masked();
  body["engagements"] = std::move(list);
  body["slices"] = std::move(slices);
  return HttpResponse::json(200, boost::json::serialize(body));
}

// Every logical address to ask for the person: engagements (EI path) and relations (legacy path).
std::set<std::string> App::Impl::addresses_of(const PersonId& person) {
  std::set<std::string> out;
  if (auto engagements = ei::engagements_of(*store, person)) {
    for (const auto& e : *engagements) out.insert(normalise_hsa(e.key.logical_address));
  }
  if (auto relations = coverage::relations_of(*store, person)) out.insert(relations->begin(), relations->end());
  return out;
}

// Runs the scan on the background thread and comes back to the caller's executor.
asio::awaitable<Expected<coverage::Report>> App::Impl::compute_coverage() {
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(background, asio::use_awaitable);
  auto cfg = current_config();
  auto report = coverage::compute(*store, *cfg);
  co_await asio::post(home, asio::use_awaitable);
  if (report) coverage_metrics->set(*report);
  co_return report;
}

asio::awaitable<void> App::Impl::coverage_loop() {
  for (;;) {
    auto report = co_await compute_coverage();
    if (report) {
      log::info("coverage computed", {{"persons", report->persons}, {"appointments", report->national.appointments},
                                      {"coverage", report->national.coverage()}, {"ms", report->took.count()}});
    } else {
      log::error("coverage could not be computed", {{"error", report.error().message}});
    }
    coverage_timer.expires_after(std::chrono::minutes(1));
    auto [ec] = co_await coverage_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping) co_return;
  }
}

// Purges appointments past their start + grace and persons whose watch expired, every purge_interval.
asio::awaitable<void> App::Impl::retention_loop() {
  for (;;) {
    const auto cfg = current_config();
    retention_timer.expires_after(cfg->retention.purge_interval);
    auto [ec] = co_await retention_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping) co_return;
    auto home = co_await asio::this_coro::executor;
    co_await asio::post(background, asio::use_awaitable);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto result = fanout::purge_once(*store, *write_queue, *watch_set, now,
                                     std::chrono::duration_cast<std::chrono::seconds>(cfg->retention.appointment_grace));
    co_await asio::post(home, asio::use_awaitable);
    if (!result) {
      log::error("retention pass failed", {{"error", result.error().message}});
      continue;
    }
    store_metrics->purged(static_cast<double>(result->appointments_purged), static_cast<double>(result->persons_deleted));
    log::info("retention pass", {{"slices", result->slices_scanned}, {"appointments_purged", result->appointments_purged},
                                 {"persons_deleted", result->persons_deleted}});
  }
}

// Legacy relations from a CSV or JSON-lines body; each person then gets a refresh of all their clinics.
asio::awaitable<HttpResponse> App::Impl::import_relations(std::string body) {
  auto parsed = std::make_shared<coverage::ParsedRelations>(coverage::parse_relations(body));
  body.clear();
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  constexpr std::size_t chunk = 20'000;
  const auto total = parsed->relations.size();
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t from = 0; from < total; from += chunk) {
    const auto to = std::min(total, from + chunk);
    auto job = [parsed, from, to, now](const store::Store&, store::Batch& batch) -> Status {
      std::vector<coverage::Relation> part(parsed->relations.begin() + static_cast<std::ptrdiff_t>(from),
                                           parsed->relations.begin() + static_cast<std::ptrdiff_t>(to));
      coverage::put_relations(batch, part, "import", now);
      return {};
    };
    auto [st, accepted] = co_await store::async_commit(*write_queue, std::move(job), asio::use_awaitable,
                                                       store::WriteQueue::Admission::always);
    if (!accepted || !st) {
      co_return HttpResponse::problem(503, "Service Unavailable",
                                      fmt::format("stored {} of {} relations, then the store refused: {}", from, total,
                                                  accepted ? st.error().message : "write queue full"));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log::info("relations import progress", {{"done", to}, {"total", total},
                                            {"per_second", secs > 0 ? static_cast<double>(to) / secs : 0.0},
                                            {"eta_seconds", secs > 0 && to > 0 ? secs * static_cast<double>(total - to) / static_cast<double>(to) : 0.0}});
  }
  std::set<std::string> persons;
  for (const auto& r : parsed->relations) persons.insert(r.person);
  std::size_t queued = 0;
  for (const auto& p : persons) {
    auto id = PersonId::parse(p);
    if (!id) continue;
    // Imported persons are watched (polled on the schedule) and refreshed now.
    write_queue->submit(watch_set->watch_job(*id, ei::WatchReason::imported, now), nullptr,
                        store::WriteQueue::Admission::always);
    if (refresh_queue->enqueue(p, addresses_of(*id))) ++queued;
  }
  boost::json::object out;
  out["lines"] = parsed->lines;
  out["imported"] = total;
  out["persons"] = persons.size();
  out["refreshesQueued"] = queued;
  out["rejected"] = parsed->errors.size();
  boost::json::array errors;
  for (std::size_t i = 0; i < parsed->errors.size() && i < 20; ++i) {
    errors.push_back({{"line", parsed->errors[i].line}, {"reason", parsed->errors[i].reason}});
  }
  out["errors"] = std::move(errors);
  log::info("relations imported", {{"relations", total}, {"persons", persons.size()}, {"rejected", parsed->errors.size()}});
  co_return HttpResponse::json(parsed->errors.empty() ? 200 : 207, boost::json::serialize(out));
}

HttpResponse App::Impl::request_refresh(std::string_view id_text) {
  auto person = PersonId::parse(id_text);
  if (!person) return HttpResponse::problem(400, "Bad Request", "not a usable person id: " + person.error().message);
  const auto addresses = addresses_of(*person);
  if (!refresh_queue->enqueue(person->str(), addresses)) {
    return HttpResponse::problem(503, "Service Unavailable", "the refresh queue is full; try again later");
  }
  log::info("refresh requested by operator", {{"person", person->masked()}, {"addresses", addresses.size()}});
  return HttpResponse::json(202, fmt::format(R"({{"person":"{}","addresses":{}}})", person->masked(), addresses.size()));
}

HttpResponse App::Impl::sources_view() {
  boost::json::array list;
  const auto cfg = current_config();
  for (const auto& s : refresher->sources()) {
    boost::json::object o;
    o["bookingSystem"] = s.booking_system;
    o["breaker"] = std::string(fanout::to_string(s.breaker));
    o["inFlight"] = s.in_flight;
    o["waiting"] = s.waiting;
    const config::SourceLimits* limits = &cfg->booking_system_defaults;
    for (const auto& b : cfg->booking_systems) {
      if (b.name == s.booking_system) limits = &b.limits;
    }
    o["maxConcurrency"] = limits->max_concurrency;
    o["ratePerSecond"] = limits->rate_per_second;
    o["burst"] = limits->burst;
    list.push_back(std::move(o));
  }
  const auto q = refresh_queue->stats();
  boost::json::object body;
  body["sources"] = std::move(list);
  body["refreshQueue"] = {{"waiting", q.waiting}, {"running", q.running}, {"done", q.done}, {"refused", q.refused}};
  if (auto snap = tak->current()) {
    body["tak"] = {{"permissions", snap->counts().permissions}, {"routes", snap->counts().routes},
                   {"loadedAt", format_iso_utc(snap->loaded_at())}};
  }
  return HttpResponse::json(200, boost::json::serialize(body));
}

void App::Impl::reload() {
  if (!options.config_path) {
    log::info("reload requested; running on the embedded default configuration, nothing to reload");
    return;
  }
  const auto path = options.config_path->string();
  auto loaded = config::load_config(*options.config_path);
  if (!loaded) {
    config_metrics->reload_failed();
    log::error("configuration reload failed; keeping the running configuration",
               {{"file", path}, {"errors", config::to_string(loaded.error())}});
    return;
  }
  const auto old = current_config();
  const auto restart = config::keys_needing_restart(*old, *loaded);
  if (!restart.empty()) {
    std::string keys;
    for (const auto& k : restart) keys += (keys.empty() ? "" : ", ") + k;
    log::warn("configuration reload: these keys take effect only after a restart; keeping their running values",
              {{"file", path}, {"keys", keys}});
  }
  auto next = std::make_shared<const config::Config>(config::keep_restart_keys(*old, std::move(*loaded)));
  log::set_level(to_log_level(next->logging.level));
  {
    std::lock_guard lock(config_mutex);
    config = std::move(next);
  }
  config_metrics->reload_succeeded();
  log::info("configuration reloaded", {{"file", path}});
}

asio::awaitable<void> App::Impl::handle_signals(asio::signal_set& signals) {
  for (;;) {
    auto [ec, signo] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (signo == SIGHUP) {
      reload();
      continue;
    }
    log::info("shutting down", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    stopping = true;
    signals.cancel();
    asio::co_spawn(ioc, drain(), asio::detached);
    co_return;
  }
}

asio::awaitable<void> App::Impl::drain() {
  // No new connections; idle ones close; requests in flight are answered first.
  admin_server->stop();
  query_server->stop();
  tak->stop();
  refresh_queue->stop();
  asio::post(coverage_strand, [this] {
    coverage_timer.cancel();
    retention_timer.cancel();
  });
  const auto deadline = std::chrono::steady_clock::now() + options.drain_timeout;
  asio::steady_timer timer(ioc);
  poller->stop();
  while (admin_server->open_connections() + query_server->open_connections() + refresh_queue->stats().running > 0 ||
         poller->running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      log::warn("drain timeout; closing connections still open",
                {{"open", admin_server->open_connections() + query_server->open_connections()}});
      break;
    }
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  ioc.stop();
}

App::App(config::Config config, AppOptions options) : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {}
App::~App() = default;

int App::run() {
  auto& s = *impl_;
  const auto cfg = s.current_config();
  log::setup(to_log_level(cfg->logging.level));
  s.person_hash_key = cfg->logging.person_hash_key.empty() ? random_key() : cfg->logging.person_hash_key;
  log::info("starting bokaded", {{"version", std::string(version())},
                                 {"config", s.options.config_path ? s.options.config_path->string() : "(embedded default)"},
                                 {"summary", config::describe(*cfg)}});

  store::StoreOptions so;
  so.block_cache_bytes = cfg->storage.block_cache;
  so.sync_writes = cfg->storage.sync_writes;
  auto opened = store::Store::open(cfg->storage.data_dir, so);
  if (!opened) {
    log::error("cannot open the store", {{"error", opened.error().message}});
    return 1;
  }
  s.store = std::move(*opened);
  log::info("store open", {{"data_dir", s.store->dir().string()},
                           {"schema_version", static_cast<std::int64_t>(s.store->recorded_schema_version())}});

  s.metrics = std::make_unique<metrics::Metrics>(version());
  std::vector<std::string> columns;
  for (auto c : store::all_columns) columns.emplace_back(store::to_string(c));
  s.store_metrics = std::make_unique<metrics::StoreMetrics>(s.metrics->registry(), columns);
  s.config_metrics = std::make_unique<metrics::ConfigMetrics>(s.metrics->registry());
  // Notifications waiting for the disk beyond this are refused with a fault (the index redelivers).
  s.write_queue = std::make_unique<store::WriteQueue>(*s.store, 256);
  s.ei_metrics = std::make_unique<ei::EiMetrics>(s.metrics->registry());
  ei::ReceiverOptions receiver_options;
  receiver_options.max_transactions = cfg->engagement_index.notification_max_transactions;
  net::ClientOptions client_options;
  client_options.connect_timeout = cfg->vp.connect_timeout;
  client_options.max_idle_per_host = cfg->vp.pool_size;
  client_options.tls.ca_file = cfg->vp.tls.ca;
  client_options.tls.certificate_file = cfg->vp.tls.certificate;
  client_options.tls.private_key_file = cfg->vp.tls.private_key;
  auto vp_client = net::HttpClient::create(s.ioc.get_executor(), client_options);
  if (!vp_client) {
    log::error("cannot set up calls to the VP", {{"error", vp_client.error().message}});
    return 1;
  }
  s.vp_client = *vp_client;
  auto tak_source = tak::TakSource::create(s.ioc.get_executor(), tak::source_options(*cfg));
  if (!tak_source) {
    log::error("cannot set up the TAK source", {{"error", tak_source.error().message}});
    return 1;
  }
  s.tak = *tak_source;
  std::vector<std::string> system_names;
  for (const auto& b : cfg->booking_systems) system_names.push_back(b.name);
  s.refresh_metrics = std::make_unique<fanout::RefreshMetrics>(s.metrics->registry(), system_names);
  s.refresher = std::make_unique<fanout::Refresher>(s.ioc.get_executor(), s.vp_client, s.tak.get(), *s.store,
                                                    *s.write_queue, *cfg, s.refresh_metrics.get());
  s.refresh_queue = std::make_unique<fanout::RefreshQueue>(
      s.ioc.get_executor(), *s.refresher, std::min<std::size_t>(cfg->refresh.max_concurrency, 64), 100'000);
  s.notifications = std::make_unique<ei::NotificationReceiver>(
      *s.write_queue, receiver_options, s.ei_metrics.get(), [&s](const ei::ApplySummary& summary) {
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        for (const auto& [address, system] : summary.source_system_of) s.refresher->learn(address, system);
        for (const auto& [person, addresses] : summary.affected) {
          s.refresh_queue->enqueue(person, addresses);
          // A notified person joins the watch set: FindContent polls catch what a lost push missed.
          if (auto id = PersonId::parse(person)) {
            s.write_queue->submit(s.watch_set->watch_job(*id, ei::WatchReason::notified, now), nullptr,
                                  store::WriteQueue::Admission::always);
          }
        }
      });
  ei::WatchOptions watch_options;
  watch_options.expiry = std::chrono::duration_cast<std::chrono::seconds>(cfg->engagement_index.watch_expiry);
  watch_options.interval = std::chrono::duration_cast<std::chrono::seconds>(cfg->engagement_index.poll_interval);
  watch_options.jitter = cfg->engagement_index.poll_jitter;
  s.watch_set = std::make_unique<ei::WatchSet>(*s.store, *s.write_queue, watch_options);
  s.poller_metrics = std::make_unique<ei::PollerMetrics>(s.metrics->registry());
  ei::PollerOptions poller_options;
  poller_options.find_content_url = cfg->engagement_index.find_content_url;
  poller_options.ei_logical_address = cfg->engagement_index.logical_address;
  poller_options.consumer_hsa_id = cfg->identity.hsa_id;
  poller_options.max_calls_per_second = cfg->engagement_index.max_calls_per_second;
  s.poller = std::make_unique<ei::FindContentPoller>(
      s.ioc.get_executor(), s.vp_client, *s.store, *s.write_queue, *s.watch_set, poller_options, s.poller_metrics.get(),
      [&s](const std::string& person, const std::set<std::string>& addresses) {
        return s.refresh_queue->enqueue(person, addresses);
      });
  if (auto st = s.refresher->learn_from_store(); !st) {
    log::warn("could not read the engagements to learn booking systems", {{"error", st.error().message}});
  }
  s.metrics->on_scrape([&s] {
    for (const auto& st : s.store->stats()) {
      s.store_metrics->set(store::to_string(st.column), static_cast<double>(st.estimated_keys),
                           static_cast<double>(st.sst_bytes + st.memtable_bytes));
    }
  });

  auto admin_routes = s.admin_router();
  auto query_routes = s.query_router();
  s.admin_http_metrics = std::make_unique<metrics::HttpMetrics>(s.metrics->registry(), "admin", admin_routes.names());
  s.query_http_metrics = std::make_unique<metrics::HttpMetrics>(s.metrics->registry(), "query", query_routes.names());
  s.admin_server = std::make_unique<net::HttpServer>(s.ioc, admin_server_options(cfg->listen.admin),
                                                     std::move(admin_routes), s.admin_http_metrics.get());
  s.query_server = std::make_unique<net::HttpServer>(s.ioc, query_server_options(cfg->listen.query),
                                                     std::move(query_routes), s.query_http_metrics.get());
  for (auto* server : {s.admin_server.get(), s.query_server.get()}) {
    if (auto st = server->listen(); !st) {
      log::error("cannot start listener", {{"error", st.error().message}});
      return 1;
    }
    server->start();
    log::info("listening", {{"listener", server->options().name},
                            {"address", fmt::format("{}:{}", server->options().address, server->port())}});
  }

  std::vector<std::string> region_names;
  for (const auto& r : cfg->regions) region_names.push_back(r.name);
  s.coverage_metrics = std::make_unique<coverage::CoverageMetrics>(s.metrics->registry(), region_names, system_names);
  s.refresh_queue->start();
  s.poller->start();
  asio::co_spawn(s.coverage_strand, s.coverage_loop(), asio::detached);
  asio::co_spawn(s.coverage_strand, s.retention_loop(), asio::detached);
  asio::co_spawn(
      s.ioc,
      [&s]() -> asio::awaitable<void> {
        auto tak = s.tak;
        if (auto st = co_await tak->start(); !st) {
          log::warn("no TAK snapshot yet; no booking system is called until one loads", {{"error", st.error().message}});
        } else {
          const auto c = tak->current()->counts();
          log::info("TAK snapshot loaded", {{"permissions", c.permissions}, {"routes", c.routes}});
        }
        co_await tak->run();
      },
      asio::detached);

  asio::signal_set signals(s.ioc, SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(s.ioc, s.handle_signals(signals), asio::detached);

  if (s.options.ready_file) {
    const auto content = fmt::format(R"({{"query":"{}:{}","admin":"{}:{}","pid":{}}})", cfg->listen.query.address,
                                     s.query_server->port(), cfg->listen.admin.address, s.admin_server->port(),
                                     static_cast<long>(::getpid()));
    if (auto st = write_ready_file(*s.options.ready_file, content); !st) {
      log::error("cannot write the ready file", {{"error", st.error().message}});
      return 1;
    }
  }
  s.ready = true;
  log::info("ready");

  std::vector<std::thread> threads;
  const unsigned n = std::max(1u, s.options.threads);
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();

  s.admin_server.reset();
  s.query_server.reset();
  s.background.join();
  s.poller.reset();
  s.refresh_queue.reset();
  s.refresher.reset();
  s.write_queue.reset();  // finishes queued writes before the store closes
  if (auto st = s.store->close(); !st) {
    log::error("store did not close cleanly", {{"error", st.error().message}});
    return 1;
  }
  log::info("stopped cleanly");
  return 0;
}

}  // namespace bokade::app
