// HttpServer over TLS with client certificates, against real clients on loopback: our HttpClient and
// curl. The certificates are made at test time with the openssl CLI: a CA, a server certificate for
// 127.0.0.1, client certificates with and without a subject serialNumber (the consumer's HSA-id), one
// from a second CA the server does not know, and one that has expired.

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <map>
#include <stdexcept>
#include <thread>

#include "bokade/metrics/metrics.hpp"
#include "bokade/net/http_client.hpp"
#include "bokade/net/http_server.hpp"
#include "test_pki.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::net;
using bokade::test::allowed_hsa_id;
using bokade::test::other_hsa_id;
using bokade::test::pki;
using bokade::test::openssl;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

ServerOptions tls_options(std::vector<std::string> allowed = {std::string(allowed_hsa_id)}) {
  ServerOptions o;
  o.name = "tls";
  o.request_timeout = 2s;
  o.tls = ServerTlsOptions{pki().pem("server"), pki().key("server"), pki().pem("ca"), std::move(allowed)};
  return o;
}

// A TLS server on one io_context run by two threads; clients made per certificate.
struct TlsFixture {
  explicit TlsFixture(ServerOptions options = tls_options()) : metrics("test") {
    Router r;
    r.add("GET", "/whoami", "whoami", [](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
      co_return HttpResponse::text(200, req.consumer);
    });
    r.add("POST", "/echo", "echo",
          [](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return HttpResponse::text(200, req.body); });
    r.add("GET", "/slow", "slow", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
      asio::steady_timer t(ioc, 300ms);
      co_await t.async_wait(asio::use_awaitable);
      co_return HttpResponse::text(200, "finally");
    });
    http_metrics = std::make_unique<metrics::HttpMetrics>(metrics.registry(), "tls", r.names());
    server = std::make_unique<HttpServer>(ioc, std::move(options), std::move(r), http_metrics.get());
    const auto listening = server->listen();
    REQUIRE_MESSAGE(listening.has_value(), (listening ? "" : listening.error().message));
    server->start();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  ~TlsFixture() {
    server->stop();
    for (auto& [name, c] : clients) c->close_idle();
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
  }

  [[nodiscard]] std::string url(std::string_view path, std::string_view scheme = "https") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }

  // Our client trusting the test CA and presenting `who`'s certificate ("" = none); one per name, so
  // that repeated calls can reuse its kept-alive connection.
  std::shared_ptr<HttpClient> client(const std::string& who) {
    auto& c = clients[who];
    if (!c) {
      ClientOptions o;
      o.tls.ca_file = pki().pem("ca");
      if (!who.empty()) {
        o.tls.certificate_file = pki().pem(who);
        o.tls.private_key_file = pki().key(who);
      }
      auto made = HttpClient::create(ioc.get_executor(), o);
      REQUIRE_MESSAGE(made.has_value(), (made ? "" : made.error().message));
      c = *made;
    }
    return c;
  }

  ClientResult call(const std::string& who, std::string_view path, std::string method = "GET", std::string body = {}) {
    ClientRequest req;
    req.method = std::move(method);
    req.url = url(path);
    req.body = std::move(body);
    req.timeout = 5s;
    return asio::co_spawn(ioc, client(who)->request(std::move(req)), asio::use_future).get();
  }

  [[nodiscard]] bool handshake_failures_reach(int n) {
    const auto line = R"(bokade_http_tls_handshake_failures_total{listener="tls"} )" + std::to_string(n) + "\n";
    return test::eventually([&] { return metrics.render().find(line) != std::string::npos; }, 3s);
  }

  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  metrics::Metrics metrics;
  std::unique_ptr<metrics::HttpMetrics> http_metrics;
  std::unique_ptr<HttpServer> server;
  std::map<std::string, std::shared_ptr<HttpClient>> clients;
  std::vector<std::thread> threads;
};

// curl as a user would run it; `who` = "" presents no client certificate.
struct CurlResult {
  int exit = -1;
  std::string output;  // "<status> <content type>" on success, curl's complaint otherwise
  std::string body;
};

CurlResult curl(const std::string& url, const std::string& who) {
  test::TempDir dir;
  const auto body = (dir.path() / "body").string();
  // --noproxy: a proxy from the environment must not stand between curl and the loopback server.
  std::vector<std::string> argv{"curl",       "-sS", "--noproxy", "*",
                                "--max-time", "5",   "--cacert",  pki().pem("ca"),
                                "-o",         body,  "-w",        "%{http_code} %{content_type}"};
  if (!who.empty()) {
    argv.insert(argv.end(), {"--cert", pki().pem(who), "--key", pki().key(who)});
  }
  argv.push_back(url);
  const auto r = test::run(argv);
  return {r.status, r.output, test::read_file(body)};
}

// Reads from a raw socket until the peer closes or 3 s pass; returns what arrived.
std::string read_until_closed(asio::ip::tcp::socket& s) {
  std::string out;
  char buf[4096];
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

}  // namespace

TEST_CASE("an allowed consumer is served over TLS and the handler sees its HSA-id") {
  TlsFixture f;
  CHECK(f.metrics.render().find(R"(bokade_http_tls_handshake_failures_total{listener="tls"} 0)") != std::string::npos);
  for (int i = 0; i < 5; ++i) {
    auto r = f.call("allowed", "/whoami");
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->status == 200);
    CHECK(r->body == allowed_hsa_id);
  }
  CHECK(f.client("allowed")->connections_opened() == 1);  // keep-alive over TLS

  const auto c = curl(f.url("/whoami"), "allowed");
  CHECK_MESSAGE(c.exit == 0, c.output);
  CHECK(c.output.starts_with("200 "));
  CHECK(c.body == allowed_hsa_id);
  CHECK(f.handshake_failures_reach(0));
}

TEST_CASE("a consumer not on the allowlist gets 403 problem documents on every request") {
  TlsFixture f;
  for (int i = 0; i < 2; ++i) {
    auto r = f.call("other", "/whoami");
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    CHECK(r->status == 403);
    CHECK(r->header("content-type") == "application/problem+json");
    CHECK(r->body.find(R"("status":403)") != std::string::npos);
    CHECK(r->body.find("consumer SE5565594230-EVIL is not allowed") != std::string::npos);
  }
  CHECK(f.client("other")->connections_opened() == 1);  // refused requests, not a refused connection

  // Refused before routing: an unknown path says nothing about which paths exist.
  auto missing = f.call("other", "/no/such/thing");
  REQUIRE(missing.has_value());
  CHECK(missing->status == 403);

  const auto c = curl(f.url("/whoami"), "other");
  CHECK_MESSAGE(c.exit == 0, c.output);
  CHECK(c.output == "403 application/problem+json");
  CHECK(c.body.find("consumer SE5565594230-EVIL is not allowed") != std::string::npos);

  // A certificate from the trusted CA but without a serialNumber names no consumer at all.
  auto anonymous = f.call("anonymous", "/whoami");
  REQUIRE(anonymous.has_value());
  CHECK(anonymous->status == 403);
  CHECK(anonymous->body.find("names no consumer") != std::string::npos);

  const auto text = f.metrics.render();
  CHECK(text.find(R"(bokade_http_requests_total{code="403",listener="tls",route="whoami"} 4)") != std::string::npos);
}

TEST_CASE("with an empty allowlist every certificate the client CA signed is served") {
  TlsFixture f(tls_options({}));
  auto anonymous = f.call("anonymous", "/whoami");
  REQUIRE_MESSAGE(anonymous.has_value(), (anonymous ? "" : anonymous.error().message));
  CHECK(anonymous->status == 200);
  CHECK(anonymous->body.empty());
  auto other = f.call("other", "/whoami");
  REQUIRE(other.has_value());
  CHECK(other->status == 200);
  CHECK(other->body == other_hsa_id);
}

TEST_CASE("handshakes without a trusted, valid client certificate are refused and counted") {
  TlsFixture f;
  int refused = 0;

  auto none = f.call("", "/whoami");
  CHECK_FALSE(none.has_value());
  CHECK(f.handshake_failures_reach(++refused));
  auto curl_none = curl(f.url("/whoami"), "");
  CHECK_MESSAGE(curl_none.exit != 0, curl_none.output);
  CHECK(curl_none.body.empty());
  CHECK(f.handshake_failures_reach(++refused));

  // The allowed HSA-id in a certificate from a CA the server does not trust.
  auto stranger = f.call("stranger", "/whoami");
  CHECK_FALSE(stranger.has_value());
  CHECK(f.handshake_failures_reach(++refused));
  auto curl_stranger = curl(f.url("/whoami"), "stranger");
  CHECK_MESSAGE(curl_stranger.exit != 0, curl_stranger.output);
  CHECK(curl_stranger.body.empty());
  CHECK(f.handshake_failures_reach(++refused));

  pki().wait_until_expired();
  auto expired = f.call("expired", "/whoami");
  CHECK_FALSE(expired.has_value());
  CHECK(f.handshake_failures_reach(++refused));

  // Plain HTTP to the TLS port: no HTTP answer, the connection is closed.
  auto curl_plain = curl(f.url("/whoami", "http"), "");
  CHECK_MESSAGE(curl_plain.exit != 0, curl_plain.output);
  CHECK(f.handshake_failures_reach(++refused));
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
  asio::write(s, asio::buffer(std::string("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n")));
  const auto started = std::chrono::steady_clock::now();
  const auto got = read_until_closed(s);
  CHECK(got.find("HTTP/") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 2s);  // closed, not left hanging
  CHECK(f.handshake_failures_reach(++refused));

  // None of that disturbed the listener.
  auto allowed = f.call("allowed", "/whoami");
  REQUIRE(allowed.has_value());
  CHECK(allowed->status == 200);
  CHECK(f.server->open_connections() == 1);
}

TEST_CASE("a client that never finishes its handshake is dropped at the request timeout") {
  auto o = tls_options();
  o.request_timeout = 300ms;
  TlsFixture f(o);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), f.server->port()});
  // The first bytes of a TLS record header, then nothing.
  asio::write(s, asio::buffer(std::string("\x16\x03\x01", 3)));
  const auto started = std::chrono::steady_clock::now();
  const auto got = read_until_closed(s);
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(got.empty());
  CHECK(waited >= 250ms);
  CHECK(waited < 2s);
  CHECK(f.handshake_failures_reach(1));
  CHECK(test::eventually([&] { return f.server->open_connections() == 0; }, 2s));
}

TEST_CASE("an allowlist replaced at run time applies to new connections and to open ones") {
  TlsFixture f;
  auto before = f.call("allowed", "/whoami");
  REQUIRE(before.has_value());
  CHECK(before->status == 200);
  CHECK(curl(f.url("/whoami"), "other").output.starts_with("403 "));

  f.server->set_allowed_consumers({"se5565594230-evil"});  // HSA-ids compare case-insensitively
  CHECK(f.server->allowed_consumers() == std::vector<std::string>{"se5565594230-evil"});

  const auto now_allowed = curl(f.url("/whoami"), "other");
  CHECK_MESSAGE(now_allowed.output.starts_with("200 "), now_allowed.output);
  CHECK(now_allowed.body == other_hsa_id);  // as written in the certificate
  CHECK(curl(f.url("/whoami"), "allowed").output.starts_with("403 "));

  // The kept-alive connection opened while the consumer was allowed is refused from now on too.
  auto after = f.call("allowed", "/whoami");
  REQUIRE(after.has_value());
  CHECK(after->reused_connection);
  CHECK(after->status == 403);

  f.server->set_allowed_consumers({});
  auto anyone = f.call("anonymous", "/whoami");
  REQUIRE(anyone.has_value());
  CHECK(anyone->status == 200);
}

TEST_CASE("over TLS the listener keeps its body cap and drains on stop()") {
  auto o = tls_options();
  o.max_body_bytes = 1000;
  TlsFixture f(o);
  auto big = f.call("allowed", "/echo", "POST", std::string(1001, 'b'));
  REQUIRE_MESSAGE(big.has_value(), (big ? "" : big.error().message));
  CHECK(big->status == 413);

  ClientRequest req;
  req.method = "GET";
  req.url = f.url("/slow");
  auto pending = asio::co_spawn(f.ioc, f.client("allowed")->request(req), asio::use_future);
  std::this_thread::sleep_for(100ms);
  f.server->stop();
  auto r = pending.get();
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  CHECK(r->status == 200);
  CHECK(r->body == "finally");
  CHECK(r->header("connection") == "close");
  CHECK(test::eventually([&] { return f.server->open_connections() == 0; }, 2s));
  CHECK(curl(f.url("/whoami"), "allowed").exit != 0);
}

TEST_CASE("listen() names the TLS file and what is wrong with it") {
  asio::io_context ioc;
  auto listen_with = [&](ServerTlsOptions tls) -> std::string {
    ServerOptions o;
    o.name = "query";
    o.tls = std::move(tls);
    HttpServer server(ioc, o, Router{});
    const auto st = server.listen();
    return st ? std::string() : st.error().message;
  };
  const auto& p = pki();
  const ServerTlsOptions good{p.pem("server"), p.key("server"), p.pem("ca"), {}};
  CHECK(listen_with(good).empty());

  auto missing_key = good;
  missing_key.private_key_file = p.file("nowhere.key");
  auto message = listen_with(missing_key);
  CHECK(message.find("query listener") != std::string::npos);
  CHECK(message.find(p.file("nowhere.key")) != std::string::npos);
  CHECK(message.find("No such file or directory") != std::string::npos);

  auto mismatched = good;
  mismatched.private_key_file = p.key("allowed");
  message = listen_with(mismatched);
  CHECK(message.find(p.key("allowed")) != std::string::npos);
  CHECK(message.find("does not match the certificate in " + p.pem("server")) != std::string::npos);

  auto not_a_key = good;
  not_a_key.private_key_file = p.pem("server");
  message = listen_with(not_a_key);
  CHECK(message.find("is not an unencrypted PEM private key") != std::string::npos);

  // An encrypted key fails with a message instead of asking for a passphrase on the terminal.
  openssl({"pkey", "-in", p.key("server"), "-aes256", "-passout", "pass:secret", "-out", p.file("encrypted.key")});
  auto encrypted = good;
  encrypted.private_key_file = p.file("encrypted.key");
  message = listen_with(encrypted);
  CHECK(message.find(p.file("encrypted.key") + " is not an unencrypted PEM private key") != std::string::npos);

  auto not_a_certificate = good;
  not_a_certificate.certificate_file = p.key("server");
  message = listen_with(not_a_certificate);
  CHECK(message.find(p.key("server") + " is not a PEM certificate chain") != std::string::npos);

  auto missing_ca = good;
  missing_ca.client_ca_file = p.file("nowhere-ca.pem");
  message = listen_with(missing_ca);
  CHECK(message.find("client CA " + p.file("nowhere-ca.pem")) != std::string::npos);
}
