// TakSource: file and URL sources, last good kept, the cache file, the reload loop.

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "bokade/config/config.hpp"
#include "bokade/net/http_server.hpp"
#include "bokade/tak/tak_source.hpp"
#include "tak_test_support.hpp"

using namespace bokade;
using namespace bokade::tak;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

constexpr std::string_view schedule = get_subject_of_care_schedule_contract;

void write_text(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

// An io_context run by two threads, as in the daemon.
struct Loop {
  Loop() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  ~Loop() {
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
  }
  template <class T>
  T await(asio::awaitable<T> a) {
    return asio::co_spawn(ioc, std::move(a), asio::use_future).get();
  }
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::vector<std::thread> threads;
};

std::shared_ptr<TakSource> make_source(Loop& loop, TakSourceOptions o) {
  auto s = TakSource::create(loop.ioc.get_executor(), std::move(o));
  REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().message));
  return *s;
}

bool tp_may_call_kusten(const TakSnapshot& snap) {
  return snap.callable("tp", schedule, "HSA-VKK123", test::at("2026-06-01T12:00:00+0200")) == Callability::callable;
}

// A loopback TAK service whose answer a test switches between the export, HTTP 500 and silence.
enum class Mode { ok, error, slow };
struct TakServer {
  explicit TakServer(Loop& owner) : loop(owner) {
    net::Router r;
    r.add("GET", "/tak/export.json", "export", [this](const net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
      ++requests;
      switch (mode.load()) {
        case Mode::ok:
          co_return net::HttpResponse::json(200, export_text);
        case Mode::error:
          co_return net::HttpResponse::text(500, "TAK is down");
        case Mode::slow:
          break;
      }
      asio::steady_timer t(this->loop.ioc, 3s);
      co_await t.async_wait(asio::use_awaitable);
      co_return net::HttpResponse::json(200, export_text);
    });
    server = std::make_unique<net::HttpServer>(owner.ioc, net::ServerOptions{}, std::move(r));
    REQUIRE(server->listen());
    server->start();
  }
  ~TakServer() { server->stop(); }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/tak/export.json";
  }
  Loop& loop;
  std::string export_text = test::current_export();
  std::atomic<Mode> mode{Mode::ok};
  std::atomic<int> requests{0};
  std::unique_ptr<net::HttpServer> server;
};

}  // namespace

TEST_CASE("file source: loads, persists the cache, keeps the last good snapshot when a load fails") {
  const auto dir = test::scratch_dir("file-source");
  const auto source = dir + "/export.json";
  const auto text = test::current_export();
  write_text(source, text);
  Loop loop;
  auto src = make_source(loop, {.source = source, .cache_file = dir + "/cache/tak-snapshot.json"});
  CHECK(src->current() == nullptr);

  REQUIRE(loop.await(src->start()));
  const auto first = src->current();
  REQUIRE(first != nullptr);
  CHECK(tp_may_call_kusten(*first));
  CHECK(test::read_text(dir + "/cache/tak-snapshot.json") == text);  // byte for byte
  auto stats = src->stats();
  CHECK(stats.loads_ok == 1);
  CHECK(stats.loads_failed == 0);
  CHECK(stats.last_success.has_value());
  CHECK_FALSE(stats.from_cache);
  CHECK(stats.counts.permissions == 8);

  // Unchanged bytes are not re-indexed.
  REQUIRE(loop.await(src->reload()));
  CHECK(src->current() == first);
  CHECK(src->stats().loads_unchanged == 1);

  // A broken export: the error says why, the last good snapshot stays, the cache is untouched.
  write_text(source, text.substr(0, text.size() / 3));
  auto broken = loop.await(src->reload());
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().message.find("not valid JSON") != std::string::npos);
  CHECK(src->current() == first);
  stats = src->stats();
  CHECK(stats.loads_failed == 1);
  CHECK(stats.last_error.find("not valid JSON") != std::string::npos);
  CHECK(stats.last_failure.has_value());
  CHECK(test::read_text(dir + "/cache/tak-snapshot.json") == text);

  // The file disappears: same.
  std::filesystem::remove(source);
  REQUIRE_FALSE(loop.await(src->reload()).has_value());
  CHECK(src->stats().last_error.find("cannot open") != std::string::npos);
  CHECK(src->current() == first);
  CHECK(src->stats().loads_failed == 2);

  // A different, good export replaces it and is persisted.
  const auto legacy = test::legacy_export();
  write_text(source, legacy);
  REQUIRE(loop.await(src->reload()));
  CHECK(src->current() != first);
  CHECK(src->current()->format() == ExportFormat::legacy);
  CHECK(src->stats().last_error.empty());
  CHECK(test::read_text(dir + "/cache/tak-snapshot.json") == legacy);
}

TEST_CASE("a restart while the source is down starts from the cache file") {
  const auto dir = test::scratch_dir("cache-start");
  const auto cache = dir + "/tak-snapshot.json";
  Loop loop;
  {
    write_text(dir + "/export.json", test::current_export());
    auto first_run = make_source(loop, {.source = dir + "/export.json", .cache_file = cache});
    REQUIRE(loop.await(first_run->start()));
  }
  // Next start: the source is gone.
  auto src = make_source(loop, {.source = dir + "/gone.json", .cache_file = cache});
  REQUIRE(loop.await(src->start()));
  REQUIRE(src->current() != nullptr);
  CHECK(tp_may_call_kusten(*src->current()));
  auto stats = src->stats();
  CHECK(stats.from_cache);
  CHECK(stats.loads_ok == 0);
  CHECK(stats.loads_failed == 1);

  // Neither source nor cache: start fails and says both reasons.
  write_text(cache, "{ not json");
  auto none = make_source(loop, {.source = dir + "/gone.json", .cache_file = cache});
  auto failed = loop.await(none->start());
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().message.find("gone.json") != std::string::npos);
  CHECK(failed.error().message.find("TAK cache") != std::string::npos);
  CHECK(none->current() == nullptr);
}

TEST_CASE("URL source: 200, then 500 and a timeout keep the last good snapshot; a restart uses the cache") {
  const auto dir = test::scratch_dir("url-source");
  Loop loop;
  TakServer tak(loop);
  const TakSourceOptions options{.source = tak.url(), .fetch_timeout = 300ms, .cache_file = dir + "/tak-snapshot.json"};
  auto src = make_source(loop, options);
  REQUIRE(loop.await(src->start()));
  const auto first = src->current();
  REQUIRE(first != nullptr);
  CHECK(tp_may_call_kusten(*first));

  tak.mode = Mode::error;
  auto status500 = loop.await(src->reload());
  REQUIRE_FALSE(status500.has_value());
  CHECK(status500.error().message.find("HTTP status 500") != std::string::npos);
  CHECK(src->current() == first);

  tak.mode = Mode::slow;
  const auto began = std::chrono::steady_clock::now();
  auto timed_out = loop.await(src->reload());
  REQUIRE_FALSE(timed_out.has_value());
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  CHECK(src->current() == first);
  CHECK(src->stats().loads_failed == 2);
  CHECK(src->stats().loads_ok == 1);

  // A restart while the service answers 500.
  tak.mode = Mode::error;
  auto restarted = make_source(loop, options);
  REQUIRE(loop.await(restarted->start()));
  CHECK(restarted->stats().from_cache);
  CHECK(tp_may_call_kusten(*restarted->current()));
  // The service recovers with the same export: the source takes over from the cache.
  tak.mode = Mode::ok;
  REQUIRE(loop.await(restarted->reload()));
  CHECK_FALSE(restarted->stats().from_cache);
}

TEST_CASE("run() reloads periodically, retries sooner after a failure, and stops") {
  const auto dir = test::scratch_dir("run-loop");
  const auto source = dir + "/export.json";
  write_text(source, test::current_export());
  Loop loop;
  auto src = make_source(
      loop,
      {.source = source, .reload_interval = 100ms, .retry_interval = 20ms, .cache_file = dir + "/tak-snapshot.json"});
  REQUIRE(loop.await(src->start()));
  auto running = asio::co_spawn(loop.ioc, src->run(), asio::use_future);

  const auto wait_for = [&](auto predicate) {
    for (int i = 0; i < 300; ++i) {
      if (predicate()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  CHECK(wait_for([&] { return src->stats().loads_ok >= 3; }));
  write_text(source, test::legacy_export());
  CHECK(wait_for([&] { return src->current()->format() == ExportFormat::legacy; }));
  // While the source is broken, the loop retries at retry_interval.
  write_text(source, "{}");
  const auto failed_before = src->stats().loads_failed;
  CHECK(wait_for([&] { return src->stats().loads_failed >= failed_before + 5; }));
  CHECK(src->current()->format() == ExportFormat::legacy);

  src->stop();
  CHECK(running.wait_for(2s) == std::future_status::ready);
}

TEST_CASE("reconfigure while run() waits: a new source is read at once, new intervals and timeout apply") {
  const auto dir = test::scratch_dir("reconfigure");
  const auto file = dir + "/export.json";
  write_text(file, test::current_export());
  Loop loop;
  TakServer tak(loop);
  tak.export_text = test::legacy_export();
  auto src = make_source(loop, {.source = file, .reload_interval = 1h, .cache_file = dir + "/tak-snapshot.json"});
  REQUIRE(loop.await(src->start()));
  auto running = asio::co_spawn(loop.ioc, src->run(), asio::use_future);
  const auto wait_for = [&](auto predicate) {
    for (int i = 0; i < 300; ++i) {
      if (predicate()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  CHECK(src->current()->format() == ExportFormat::current);

  // A URL now (the file source needed no HTTP client): loaded at once, not an hour later.
  auto o = src->options();
  o.source = tak.url();
  REQUIRE(src->reconfigure(o));
  CHECK(src->options().source == tak.url());
  CHECK(wait_for([&] { return src->current()->format() == ExportFormat::legacy; }));
  CHECK(tak.requests == 1);
  // The snapshot is swapped before the cache file is written: wait for the file too.
  CHECK(wait_for([&] { return test::read_text(dir + "/tak-snapshot.json") == tak.export_text; }));

  // A shorter interval applies without waiting out the hour.
  o.reload_interval = 100ms;
  REQUIRE(src->reconfigure(o));
  CHECK(wait_for([&] { return tak.requests >= 4; }));
  // A longer one again: the loads stop.
  o.reload_interval = 1h;
  REQUIRE(src->reconfigure(o));
  std::this_thread::sleep_for(150ms);  // a load already under way ends
  const int requests = tak.requests;
  std::this_thread::sleep_for(500ms);
  CHECK(tak.requests == requests);

  // fetch_timeout: a silent service fails the load after the new 200 ms, not the old 30 s.
  tak.mode = Mode::slow;
  o.fetch_timeout = 200ms;
  REQUIRE(src->reconfigure(o));
  const auto began = std::chrono::steady_clock::now();
  REQUIRE_FALSE(loop.await(src->reload()).has_value());
  CHECK(std::chrono::steady_clock::now() - began < 2s);
  CHECK(src->current()->format() == ExportFormat::legacy);  // the last good snapshot stays

  // An empty source is refused and changes nothing.
  o.source.clear();
  CHECK_FALSE(src->reconfigure(o).has_value());
  CHECK(src->options().source == tak.url());

  src->stop();
  CHECK(running.wait_for(2s) == std::future_status::ready);
}

TEST_CASE("options from the config file") {
  config::Config c;
  c.tak.source = "https://tak.example/export.json";
  c.storage.data_dir = "/var/lib/bokade";
  auto o = source_options(c);
  CHECK(o.source == "https://tak.example/export.json");
  CHECK(o.cache_file == "/var/lib/bokade/tak-snapshot.json");
  CHECK(o.reload_interval == c.tak.reload_interval);
  CHECK(o.fetch_timeout == c.tak.fetch_timeout);
  c.tak.cache_file = "/srv/tak.json";
  CHECK(source_options(c).cache_file == "/srv/tak.json");
}
