#pragma once
// HttpServer: an HTTP/1.1 server on Boost.Beast coroutines.
//
// Every read and write has a deadline (slow clients are dropped), bodies and headers are capped
// (413 / 431), connections are capped (over the cap a connection is closed at once and counted),
// and stop() drains: no new connections, idle keep-alive connections closed, requests in flight
// answered before their connection closes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/net/router.hpp"

namespace bokade::metrics {
class HttpMetrics;
}

namespace bokade::net {

struct ServerOptions {
  std::string name = "http";  // listener name in logs and metrics
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port; see HttpServer::port()
  std::size_t max_connections = 1024;
  std::chrono::milliseconds request_timeout{30'000};  // to read one request, and to write one response
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_header_bytes = 16u << 10;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, Router router,
             metrics::HttpMetrics* metrics = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; fails with a clear reason (address in use, bad address, permission).
  Status listen();
  // Starts accepting on the io_context (call after listen()).
  void start();
  // Stops accepting and closes idle connections; requests in flight finish. Thread-safe.
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const ServerOptions& options() const noexcept;
  [[nodiscard]] std::size_t open_connections() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::net
