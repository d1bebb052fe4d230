#pragma once
// HttpServer: an HTTP/1.1 server on Boost.Beast coroutines.
//
// Every read and write has a deadline (slow clients are dropped), bodies and headers are capped
// (413 / 431), connections are capped (over the cap a connection is closed at once and counted),
// and stop() drains: no new connections, idle keep-alive connections closed, requests in flight
// answered before their connection closes.
//
// With ServerOptions::tls the listener speaks HTTPS only (TLS 1.2 or later). With a client CA every
// client must present a certificate that CA verifies, or the handshake fails (counted and logged);
// the certificate subject's serialNumber is the consumer's HSA-id, handed to handlers as
// HttpRequest::consumer and matched against an allowlist that can be replaced at run time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/net/router.hpp"

namespace bokade::metrics {
class HttpMetrics;
}

namespace bokade::net {

// HTTPS on a listener. The files are PEM and are read by HttpServer::listen(), which fails naming the
// file and the problem.
struct ServerTlsOptions {
  std::string certificate_file;  // our certificate chain, leaf first
  std::string private_key_file;  // its private key, unencrypted (a daemon cannot type a passphrase)
  // Trust anchors for client certificates. Set = a client certificate is required and verified;
  // empty = none is asked for (every request then has an empty HttpRequest::consumer).
  std::string client_ca_file;
  // Consumer HSA-ids (client certificate subject serialNumber), compared case-insensitively. Non-empty =
  // every request from any other consumer, or from a client without one, is answered 403.
  std::vector<std::string> allowed_consumers;
};

struct ServerOptions {
  std::string name = "http";  // listener name in logs and metrics
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port; see HttpServer::port()
  std::size_t max_connections = 1024;
  std::chrono::milliseconds request_timeout{30'000};  // to read one request, and to write one response
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::optional<ServerTlsOptions> tls;  // absent = plain HTTP (for loopback; config checks that)
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, Router router,
             metrics::HttpMetrics* metrics = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files (if any), binds and listens; fails with a clear reason (a TLS file missing or
  // unusable, a key that does not match its certificate, address in use, bad address, permission).
  Status listen();
  // Starts accepting on the io_context (call after listen()).
  void start();
  // Stops accepting and closes idle connections; requests in flight finish. Thread-safe.
  void stop();

  // Replaces the consumer allowlist (SIGHUP reload). It applies to every request read from then on, on
  // new and already open connections alike. Empty = every client the client CA verifies. Thread-safe.
  void set_allowed_consumers(std::vector<std::string> consumers);
  // The allowlist in force now (lower-cased, sorted); options() keeps the one given at construction.
  [[nodiscard]] std::vector<std::string> allowed_consumers() const;

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const ServerOptions& options() const noexcept;
  [[nodiscard]] std::size_t open_connections() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::net
