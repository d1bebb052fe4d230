#include "bokade/net/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <variant>

namespace bokade::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path;  // with query
  [[nodiscard]] std::string pool_key() const { return fmt::format("{}://{}:{}", tls ? "https" : "http", host, port); }
};

Expected<Target, ClientError> parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return Unexpected<ClientError>{{Outcome::connect_error, fmt::format("'{}' is not a valid URL", url)}};
  Target t;
  const auto scheme = u->scheme();
  if (scheme == "https") {
    t.tls = true;
  } else if (scheme != "http") {
    return Unexpected<ClientError>{{Outcome::connect_error, fmt::format("URL scheme '{}' is not http or https", scheme)}};
  }
  t.host = std::string(u->host());
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  t.path = std::string(u->encoded_path());
  if (t.path.empty()) t.path = "/";
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  return t;
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;
  beast::tcp_stream& tcp() {
    return std::visit(
        [](auto& s) -> beast::tcp_stream& {
          if constexpr (std::is_same_v<std::decay_t<decltype(s)>, PlainStream>) {
            return s;
          } else {
            return beast::get_lowest_layer(s);
          }
        },
        stream);
  }
};

// A response and whether the connection may be used again; or an error and whether it may be retried.
struct Exchanged {
  ClientResponse response;
  bool keep_alive = false;
};
struct Failed {
  ClientError error;
  bool retryable_on_new_connection = false;
};
struct Attempt {
  Expected<Exchanged, Failed> result;
  std::unique_ptr<Connection> connection;
};

ClientError io_error(const boost::system::error_code& ec, std::string_view stage) {
  if (ec == beast::error::timeout) return {Outcome::timeout, fmt::format("{}: deadline passed", stage)};
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return {Outcome::parse_error, fmt::format("{}: response too large", stage)};
  }
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return {Outcome::parse_error, fmt::format("{}: malformed HTTP response ({})", stage, ec.message())};
  }
  return {Outcome::connect_error, fmt::format("{}: {}", stage, ec.message())};
}

}  // namespace

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return {};
}

struct HttpClient::Impl {
  Impl(asio::any_io_executor ex, ClientOptions o) : executor(std::move(ex)), options(std::move(o)), tls(ssl::context::tls_client) {}

  asio::any_io_executor executor;
  ClientOptions options;
  ssl::context tls;
  std::mutex pool_mutex;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::atomic<std::uint64_t> opened{0};

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    std::lock_guard lock(pool_mutex);
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    auto c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> c) {
    std::lock_guard lock(pool_mutex);
    auto& v = idle[key];
    if (v.size() < options.max_idle_per_host) v.push_back(std::move(c));
  }

  asio::awaitable<Expected<std::unique_ptr<Connection>, ClientError>> connect(const Target& t,
                                                                               std::chrono::steady_clock::time_point deadline);
  // Connects when `conn` is null, then sends and receives; runs on the connection's strand.
  asio::awaitable<Attempt> attempt(Target target, const ClientRequest& request,
                                   std::chrono::steady_clock::time_point deadline, std::unique_ptr<Connection> conn);
  template <class Stream>
  asio::awaitable<Expected<Exchanged, Failed>> exchange(Stream& stream, Connection& c,
                                                                                   const Target& t,
                                                                                   const ClientRequest& r,
                                                                                   std::chrono::steady_clock::time_point deadline);
};

asio::awaitable<Expected<std::unique_ptr<Connection>, ClientError>> HttpClient::Impl::connect(
    const Target& t, std::chrono::steady_clock::time_point deadline) {
  using Result = Expected<std::unique_ptr<Connection>, ClientError>;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(t.host, t.port, use_tuple);
  if (rec) co_return Result(Unexpected<ClientError>{{Outcome::connect_error, fmt::format("resolve {}: {}", t.host, rec.message())}});

  // The connection lives on the strand this coroutine runs on (see request()).
  const auto strand = co_await asio::this_coro::executor;
  auto conn = std::make_unique<Connection>(Connection{PlainStream(strand), {}});
  if (t.tls) conn->stream.emplace<TlsStream>(PlainStream(strand), tls);
  auto& lowest = conn->tcp();
  lowest.expires_at(std::min(deadline, std::chrono::steady_clock::now() + options.connect_timeout));
  auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
  if (cec) {
    auto err = io_error(cec, fmt::format("connect {}:{}", t.host, t.port));
    co_return Result(Unexpected<ClientError>{std::move(err)});
  }
  lowest.socket().set_option(tcp::no_delay(true));
  if (t.tls) {
    auto& s = std::get<TlsStream>(conn->stream);
    if (!SSL_set_tlsext_host_name(s.native_handle(), t.host.c_str())) {
      co_return Result(Unexpected<ClientError>{{Outcome::connect_error, "TLS: cannot set server name"}});
    }
    s.set_verify_callback(ssl::host_name_verification(t.host));
    lowest.expires_at(deadline);
    auto [hec] = co_await s.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return Result(Unexpected<ClientError>{io_error(hec, "TLS handshake")});
  }
  opened.fetch_add(1);
  co_return Result(std::move(conn));
}

template <class Stream>
asio::awaitable<Expected<Exchanged, Failed>> HttpClient::Impl::exchange(
    Stream& stream, Connection& c, const Target& t, const ClientRequest& r,
    std::chrono::steady_clock::time_point deadline) {
  using Result = Expected<Exchanged, Failed>;
  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(r.method);
  if (verb == http::verb::unknown) {
    req.method_string(r.method);
  } else {
    req.method(verb);
  }
  req.target(t.path);
  req.version(11);
  req.set(http::field::host, t.host);
  req.set(http::field::user_agent, "bokade");
  for (const auto& [k, v] : r.headers) req.set(k, v);
  req.body() = r.body;
  req.keep_alive(true);
  req.prepare_payload();

  c.tcp().expires_at(deadline);
  auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
  // A failure before any byte of the response arrived on a reused connection may be a stale
  // keep-alive connection the server already closed: the caller may try once more on a new one.
  if (wec) co_return Result(Unexpected<Failed>{{io_error(wec, "send"), true}});

  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  auto [rec, rn] = co_await http::async_read(stream, c.buffer, parser, use_tuple);
  if (rec) {
    const bool nothing_read = !parser.got_some();
    co_return Result(Unexpected<Failed>{{io_error(rec, "receive"), nothing_read}});
  }
  auto& res = parser.get();
  ClientResponse out;
  out.status = res.result_int();
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  co_return Result(Exchanged{std::move(out), res.keep_alive()});
}

HttpClient::HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Expected<std::shared_ptr<HttpClient>> HttpClient::create(asio::any_io_executor executor, ClientOptions options) {
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options));
  auto& ctx = impl->tls;
  boost::system::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  const auto& tls = impl->options.tls;
  if (tls.ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(tls.ca_file, ec);
    if (ec) return fail(fmt::format("cannot read CA file {}: {}", tls.ca_file, ec.message()));
  }
  if (!tls.certificate_file.empty()) {
    ctx.use_certificate_chain_file(tls.certificate_file, ec);
    if (ec) return fail(fmt::format("cannot read client certificate {}: {}", tls.certificate_file, ec.message()));
    ctx.use_private_key_file(tls.private_key_file, ssl::context::pem, ec);
    if (ec) return fail(fmt::format("cannot read client key {}: {}", tls.private_key_file, ec.message()));
  }
  ctx.set_verify_mode(tls.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return std::shared_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

asio::awaitable<Attempt> HttpClient::Impl::attempt(Target target, const ClientRequest& request,
                                                                   std::chrono::steady_clock::time_point deadline,
                                                                   std::unique_ptr<Connection> conn) {
  Attempt out;
  if (!conn) {
    auto fresh = co_await connect(target, deadline);
    if (!fresh) {
      out.result = Unexpected<Failed>{{fresh.error(), false}};
      co_return out;
    }
    conn = std::move(*fresh);
  }
  out.result = co_await std::visit([&](auto& stream) { return exchange(stream, *conn, target, request, deadline); },
                                   conn->stream);
  out.connection = std::move(conn);
  co_return out;
}

asio::awaitable<ClientResult> HttpClient::request(ClientRequest request) {
  auto impl = impl_;
  const auto target = parse_target(request.url);
  if (!target) co_return ClientResult(Unexpected<ClientError>{target.error()});
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  const auto key = target->pool_key();

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = attempt == 0 ? impl->take_idle(key) : nullptr;
    const bool reused = conn != nullptr;
    // The attempt runs on the connection's strand (a new one for a new connection), so that Beast's
    // deadline timer and the socket's operations never run at once on two threads.
    auto strand = reused ? conn->tcp().get_executor() : asio::any_io_executor(asio::make_strand(impl->executor));
    auto done = co_await asio::co_spawn(strand, impl->attempt(*target, request, deadline, std::move(conn)),
                                        asio::use_awaitable);
    if (done.result) {
      done.result->response.reused_connection = reused;
      if (done.result->keep_alive && done.connection) impl->give_back(key, std::move(done.connection));
      co_return ClientResult(std::move(done.result->response));
    }
    const auto& failed = done.result.error();
    if (!(reused && failed.retryable_on_new_connection && failed.error.outcome != Outcome::timeout)) {
      co_return ClientResult(Unexpected<ClientError>{failed.error});
    }
    // A stale keep-alive connection: try once on a new one.
  }
  co_return ClientResult(Unexpected<ClientError>{{Outcome::connect_error, "no connection"}});
}

std::uint64_t HttpClient::connections_opened() const noexcept { return impl_->opened.load(); }

void HttpClient::close_idle() {
  std::lock_guard lock(impl_->pool_mutex);
  impl_->idle.clear();
}

}  // namespace bokade::net
