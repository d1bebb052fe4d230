#pragma once
// App::Impl: every part of a running bokaded, shared by the files of lib/app: app.cpp (start, reload,
// drain, the background loops), admin_routes.cpp (the operators' endpoints) and query_routes.cpp (the
// citizen's and the national platform's endpoints).

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "bokade/app/app.hpp"
#include "bokade/core/expected.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/coverage/coverage.hpp"
#include "bokade/coverage/coverage_metrics.hpp"
#include "bokade/ei/ei_metrics.hpp"
#include "bokade/ei/find_content_poller.hpp"
#include "bokade/ei/notification_receiver.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/fanout/refresh_metrics.hpp"
#include "bokade/fanout/refresh_queue.hpp"
#include "bokade/fanout/refresher.hpp"
#include "bokade/metrics/metrics.hpp"
#include "bokade/net/http_server.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"
#include "bokade/tak/tak_source.hpp"
#include "bokade/view/person_view.hpp"
#include "query_service.hpp"
#include "view_cache.hpp"

namespace bokade::app {

namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;

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
  std::unique_ptr<QueryService> queries;
  asio::thread_pool background{1};  // long scans (coverage) run here, never on the I/O threads
  asio::strand<asio::io_context::executor_type> coverage_strand{asio::make_strand(ioc)};
  asio::steady_timer coverage_timer{coverage_strand};   // used only on coverage_strand
  asio::steady_timer retention_timer{coverage_strand};  // likewise
  std::unique_ptr<metrics::Metrics> metrics;
  std::unique_ptr<metrics::StoreMetrics> store_metrics;
  std::unique_ptr<metrics::ConfigMetrics> config_metrics;
  std::unique_ptr<metrics::ImportMetrics> import_metrics;
  std::unique_ptr<metrics::ViewCacheMetrics> view_cache_metrics;
  ViewCache view_cache;  // rendered JSON / ICS answers (query_routes.cpp)
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
  // Query endpoints (query_routes.cpp).
  asio::awaitable<Expected<view::PersonView, HttpResponse>> person_view_for(const PersonId& person,
                                                                           std::chrono::milliseconds max_age,
                                                                           std::chrono::milliseconds wait,
                                                                           const std::string& correlation_id,
                                                                           QueryAnswer* answer);
  asio::awaitable<HttpResponse> serve_appointments(const HttpRequest& req, bool ics);
  asio::awaitable<HttpResponse> serve_schedule_soap(const HttpRequest& req);
  HttpResponse relations_json(const PersonId& person, const std::set<std::string>& addresses);
  asio::awaitable<HttpResponse> get_relations(const HttpRequest& req);
  asio::awaitable<HttpResponse> put_relations(const HttpRequest& req);
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

}  // namespace bokade::app
