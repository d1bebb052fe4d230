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

#include "app_impl.hpp"
#include "ops_wiring.hpp"
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

std::optional<net::ServerTlsOptions> server_tls(const config::ServerTls& t) {
  if (!t.enabled) return std::nullopt;
  return net::ServerTlsOptions{t.certificate, t.private_key, t.client_ca, t.allowed_consumers};
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
  o.tls = server_tls(q.tls);
  return o;
}

net::ServerOptions admin_server_options(const config::AdminListener& a) {
  net::ServerOptions o;
  o.name = "admin";
  o.address = a.address;
  o.port = a.port;
  o.max_connections = 64;
  o.tls = server_tls(a.tls);
  return o;
}

}  // namespace


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
  // The consumer allowlists apply at once, also to connections already open.
  const auto cfg = current_config();
  if (cfg->listen.query.tls.allowed_consumers != old->listen.query.tls.allowed_consumers) {
    query_server->set_allowed_consumers(cfg->listen.query.tls.allowed_consumers);
  }
  if (cfg->listen.admin.tls.allowed_consumers != old->listen.admin.tls.allowed_consumers) {
    admin_server->set_allowed_consumers(cfg->listen.admin.tls.allowed_consumers);
  }
  // The long-lived parts copied their settings at start: each takes the new snapshot now. Refreshes,
  // polls and loads already under way finish with what they started with.
  refresher->reconfigure(*cfg);
  auto poller_options = poller->options();
  poller_options.find_content_url = cfg->engagement_index.find_content_url;
  poller_options.ei_logical_address = cfg->engagement_index.logical_address;
  poller_options.consumer_hsa_id = cfg->identity.hsa_id;
  poller_options.max_calls_per_second = cfg->engagement_index.max_calls_per_second;
  poller->reconfigure(std::move(poller_options));
  auto watch_options = watch_set->options();
  watch_options.expiry = std::chrono::duration_cast<std::chrono::seconds>(cfg->engagement_index.watch_expiry);
  watch_options.interval = std::chrono::duration_cast<std::chrono::seconds>(cfg->engagement_index.poll_interval);
  watch_options.jitter = cfg->engagement_index.poll_jitter;
  watch_set->reconfigure(watch_options);
  notifications->set_max_transactions(cfg->engagement_index.notification_max_transactions);
  auto tak_options = tak->options();
  const auto from_config = tak::source_options(*cfg);
  tak_options.source = from_config.source;
  tak_options.reload_interval = from_config.reload_interval;
  tak_options.fetch_timeout = from_config.fetch_timeout;
  if (auto st = tak->reconfigure(std::move(tak_options)); !st) {
    log::error("configuration reload: the TAK source could not be changed; keeping the old one",
               {{"error", st.error().message}});
  }
  // One line naming the sections whose values changed (and are now in force).
  std::string applied;
  const auto note = [&applied](bool changed, std::string_view section) {
    if (changed) applied += (applied.empty() ? "" : ", ") + std::string(section);
  };
  note(!(cfg->logging == old->logging), "logging");
  note(!(cfg->listen == old->listen), "listen");
  note(!(cfg->engagement_index == old->engagement_index), "engagement_index");
  note(!(cfg->vp == old->vp), "vp");
  note(!(cfg->tak == old->tak), "tak");
  note(!(cfg->refresh == old->refresh), "refresh");
  note(!(cfg->booking_system_defaults == old->booking_system_defaults), "booking_system_defaults");
  note(cfg->booking_systems != old->booking_systems, "booking_systems");
  note(cfg->regions != old->regions, "regions");
  note(!(cfg->rules == old->rules), "rules");
  note(!(cfg->retention == old->retention), "retention");
  config_metrics->reload_succeeded();
  log::info("configuration reloaded",
            {{"file", path}, {"applied", applied.empty() ? std::string("nothing changed") : applied}});
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
  s.import_metrics = std::make_unique<metrics::ImportMetrics>(s.metrics->registry());
  s.view_cache_metrics = std::make_unique<metrics::ViewCacheMetrics>(s.metrics->registry());
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
  wire_ops_metrics(*s.metrics, *s.write_queue, s.tak);
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
  s.queries = std::make_unique<QueryService>(
      s.ioc.get_executor(), QueryParts{*s.store, *s.write_queue, *s.refresher, *s.watch_set, *s.poller});
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
  s.queries.reset();
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
