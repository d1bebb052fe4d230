// HttpServer and HttpClient against each other on loopback, plus raw sockets for misbehaving clients.

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <thread>

#include "bokade/metrics/metrics.hpp"
#include "bokade/net/http_client.hpp"
#include "bokade/net/http_server.hpp"

using namespace bokade;
using namespace bokade::net;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// A server and a client on one io_context run by two threads.
struct Fixture {
  explicit Fixture(ServerOptions options = {}, ClientOptions client_options = {}) : metrics("test") {
    Router r;
    r.add("GET", "/hello", "hello", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, "hello " + req.query_param("name").value_or("you"));
    });
    r.add("POST", "/echo", "echo", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, req.body);
    });
    r.add("GET", "/slow", "slow", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
      asio::steady_timer t(ioc, 300ms);
      co_await t.async_wait(asio::use_awaitable);
      co_return HttpResponse::text(200, "finally");
    });
    r.add("GET", "/big", "big", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, std::string(5000, 'x'));
    });
    r.add("GET", "/throws", "throws", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
      throw std::runtime_error("boom");
      co_return HttpResponse::text(200, "unreachable");
    });
    http_metrics = std::make_unique<metrics::HttpMetrics>(metrics.registry(), "test", r.names());
    server = std::make_unique<HttpServer>(ioc, options, std::move(r), http_metrics.get());
    REQUIRE(server->listen());
    server->start();
    auto c = HttpClient::create(ioc.get_executor(), client_options);
    REQUIRE(c.has_value());
    client = *c;
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  ~Fixture() {
    server->stop();
    client->close_idle();
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
  }

  std::string url(std::string_view path) const { return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path); }

  ClientResult call(std::string method, std::string_view path, std::string body = {}, std::chrono::milliseconds timeout = 5s) {
    ClientRequest req;
    req.method = std::move(method);
    req.url = url(path);
    req.body = std::move(body);
    req.timeout = timeout;
    return asio::co_spawn(ioc, client->request(std::move(req)), asio::use_future).get();
  }

  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  metrics::Metrics metrics;
  std::unique_ptr<metrics::HttpMetrics> http_metrics;
  std::unique_ptr<HttpServer> server;
  std::shared_ptr<HttpClient> client;
  std::vector<std::thread> threads;
};

// Reads from a raw socket until the peer closes or 3 s pass; returns what arrived.
std::string read_until_closed(asio::ip::tcp::socket& s) {
  std::string out;
  char buf[4096];
  s.non_blocking(false);
  const timeval tv{3, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (;;) {
    boost::system::error_code ec;
    const auto n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

bool eventually_open(const Fixture& f, std::size_t n) {
  for (int i = 0; i < 100; ++i) {
    if (f.server->open_connections() == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("requests and responses round trip over one kept-alive connection") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    auto r = f.call("GET", "/hello?name=G%C3%B6ran");
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->status == 200);
    CHECK(r->body == "hello G\xC3\xB6ran");
  }
  CHECK(f.client->connections_opened() == 1);
  auto echo = f.call("POST", "/echo", std::string(10000, 'e'));
  REQUIRE(echo.has_value());
  CHECK(echo->body.size() == 10000);
  CHECK(echo->reused_connection);
  const auto text = f.metrics.render();
  CHECK(text.find(R"(bokade_http_requests_total{code="200",listener="test",route="hello"} 10)") != std::string::npos);
}

TEST_CASE("errors are answered with problem documents") {
  Fixture f;
  auto missing = f.call("GET", "/nothing");
  REQUIRE(missing.has_value());
  CHECK(missing->status == 404);
  CHECK(missing->header("content-type") == "application/problem+json");
  auto method = f.call("DELETE", "/hello");
  REQUIRE(method.has_value());
  CHECK(method->status == 405);
  CHECK(method->header("allow") == "GET");
  auto thrown = f.call("GET", "/throws");
  REQUIRE(thrown.has_value());
  CHECK(thrown->status == 500);
  CHECK(thrown->body.find("boom") == std::string::npos);  // internals stay in the log
}

TEST_CASE("oversized bodies get 413 and oversized headers 431") {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  Fixture f(o);
  auto big = f.call("POST", "/echo", std::string(1001, 'b'));
  REQUIRE(big.has_value());
  CHECK(big->status == 413);
  CHECK(big->body.find("exceeds 1000 bytes") != std::string::npos);

  ClientRequest req;
  req.method = "GET";
  req.url = f.url("/hello");
  req.headers = {{"X-Filler", std::string(3000, 'h')}};
  auto headers = asio::co_spawn(f.ioc, f.client->request(req), asio::use_future).get();
  REQUIRE(headers.has_value());
  CHECK(headers->status == 431);
}

TEST_CASE("client failures are outcomes: timeout, refused, too large") {
  ClientOptions co;
  co.max_response_bytes = 1000;
  Fixture f({}, co);
  auto slow = f.call("GET", "/slow", {}, 100ms);
  REQUIRE_FALSE(slow.has_value());
  CHECK_MESSAGE(slow.error().outcome == Outcome::timeout, slow.error().message);

  auto big = f.call("GET", "/big");
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().outcome == Outcome::parse_error);

  // A port nobody listens on.
  asio::io_context tmp;
  asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  ClientRequest req;
  req.method = "GET";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto refused = asio::co_spawn(f.ioc, f.client->request(req), asio::use_future).get();
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().outcome == Outcome::connect_error);

  req.url = "ftp://127.0.0.1/";
  auto scheme = asio::co_spawn(f.ioc, f.client->request(req), asio::use_future).get();
  REQUIRE_FALSE(scheme.has_value());
  CHECK(scheme.error().message.find("not http or https") != std::string::npos);
}

TEST_CASE("a slow client is dropped at the request timeout") {
  ServerOptions o;
  o.request_timeout = 200ms;
  Fixture f(o);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
  asio::write(s, asio::buffer(std::string("GET /hello HTTP/1.1\r\nHost: x\r\n")));  // never finishes its header
  const auto started = std::chrono::steady_clock::now();
  const auto got = read_until_closed(s);
  CHECK(got.empty());
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("over the connection cap, new connections are closed at once") {
  ServerOptions o;
  o.max_connections = 2;
  Fixture f(o);
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back(io);
    held.back().connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
  }
  REQUIRE(eventually_open(f, 2));
  asio::ip::tcp::socket third(io);
  third.connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
  asio::write(third, asio::buffer(std::string("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")));
  CHECK(read_until_closed(third).empty());
  CHECK(f.metrics.render().find(R"(bokade_http_rejected_connections_total{listener="test"} 1)") != std::string::npos);
}

TEST_CASE("stop() lets a request in flight finish and refuses new connections") {
  Fixture f;
  ClientRequest req;
  req.method = "GET";
  req.url = f.url("/slow");
  auto pending = asio::co_spawn(f.ioc, f.client->request(req), asio::use_future);
  std::this_thread::sleep_for(100ms);
  f.server->stop();
  auto r = pending.get();
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  CHECK(r->status == 200);
  CHECK(r->body == "finally");
  CHECK(r->header("connection") == "close");
  std::this_thread::sleep_for(50ms);
  CHECK(f.server->open_connections() == 0);
  f.client->close_idle();
  auto after = f.call("GET", "/hello");
  CHECK_FALSE(after.has_value());
}
