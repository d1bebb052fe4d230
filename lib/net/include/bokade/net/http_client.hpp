#pragma once
// HttpClient: outbound HTTP/1.1 and HTTPS with keep-alive connection pools and a deadline per request.
//
// Failures are values: an ClientError carries the Outcome (timeout, connect_error, parse_error, …) that
// becomes a metric label and a ProcessingStatus error. Any HTTP status is a response, not an error; the
// caller decides what a 500 with a SOAP fault means.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/core/outcome.hpp"

namespace bokade::net {

struct ClientTlsOptions {
  std::string ca_file;           // PEM trust anchors; empty = the system store
  std::string certificate_file;  // our client certificate (PEM chain); empty = none
  std::string private_key_file;  // its key (PEM)
  bool verify_peer = true;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2'000};
  std::size_t max_idle_per_host = 16;  // idle keep-alive connections kept per scheme://host:port
  std::size_t max_response_bytes = 16u << 20;
  ClientTlsOptions tls;
};

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // the whole exchange: connect, send, receive
};

struct ClientResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool reused_connection = false;
  [[nodiscard]] std::string header(std::string_view name) const;
};

struct ClientError {
  Outcome outcome = Outcome::connect_error;
  std::string message;
};

using ClientResult = Expected<ClientResponse, ClientError>;

class HttpClient {
 public:
  // Fails (at start-up) when TLS files cannot be read.
  static Expected<std::shared_ptr<HttpClient>> create(boost::asio::any_io_executor executor, ClientOptions options);
  ~HttpClient();

  boost::asio::awaitable<ClientResult> request(ClientRequest request);

  // Connections opened since creation (to see keep-alive at work).
  [[nodiscard]] std::uint64_t connections_opened() const noexcept;
  // Closes every idle pooled connection.
  void close_idle();

 private:
  struct Impl;
  explicit HttpClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::net
