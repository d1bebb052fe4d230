#include "bokade/net/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <mutex>
#include <unordered_map>

#include "bokade/core/log.hpp"
#include "bokade/metrics/metrics.hpp"

namespace bokade::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Session {
  explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // touched only on the session's strand
};

HttpResponse error_response(unsigned status, std::string_view detail) {
  return HttpResponse::problem(status, reason_phrase(status), detail);
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions o, Router r, metrics::HttpMetrics* m)
      : ioc(io), opts(std::move(o)), router(std::move(r)), metrics(m), acceptor(asio::make_strand(io)) {}

  asio::io_context& ioc;
  ServerOptions opts;
  Router router;
  // Cleared when the HttpServer goes away: session frames destroyed later (with their io_context)
  // must not touch metrics that may be gone by then.
  std::atomic<metrics::HttpMetrics*> metrics;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::uint16_t bound_port = 0;
  std::mutex sessions_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_session_id = 0;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run_session(std::shared_ptr<Session> session, std::uint64_t id);
  asio::awaitable<bool> respond(Session& session, HttpResponse response, bool keep_alive, unsigned version,
                                std::string_view route, std::chrono::steady_clock::time_point started);
};

HttpServer::HttpServer(asio::io_context& ioc, ServerOptions options, Router router, metrics::HttpMetrics* metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(router), metrics)) {}

HttpServer::~HttpServer() {
  stop();
  impl_->metrics.store(nullptr);
}

Status HttpServer::listen() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->opts.address, ec);
  if (ec) return fail(fmt::format("{} listener: '{}' is not an IP address", impl_->opts.name, impl_->opts.address));
  const tcp::endpoint endpoint(address, impl_->opts.port);
  auto& a = impl_->acceptor;
  if (a.open(endpoint.protocol(), ec); ec) {
    return fail(fmt::format("{} listener: cannot open socket: {}", impl_->opts.name, ec.message()));
  }
  a.set_option(asio::socket_base::reuse_address(true), ec);
  if (a.bind(endpoint, ec); ec) {
    return fail(fmt::format("{} listener: cannot bind {}:{}: {}", impl_->opts.name, impl_->opts.address,
                            impl_->opts.port, ec.message()));
  }
  if (a.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail(fmt::format("{} listener: cannot listen: {}", impl_->opts.name, ec.message()));
  }
  impl_->bound_port = a.local_endpoint(ec).port();
  return {};
}

void HttpServer::start() {
  auto self = impl_;
  asio::co_spawn(impl_->acceptor.get_executor(), [self]() { return self->accept_loop(); }, asio::detached);
}

void HttpServer::stop() {
  auto self = impl_;
  if (self->stopping.exchange(true)) return;
  asio::post(self->acceptor.get_executor(), [self] {
    boost::system::error_code ignored;
    self->acceptor.close(ignored);
  });
  std::lock_guard lock(self->sessions_mutex);
  for (auto& [id, weak] : self->sessions) {
    if (auto s = weak.lock()) {
      // On the session's strand: an idle connection is cancelled; a busy one closes after its response.
      asio::post(s->stream.get_executor(), [s] {
        if (!s->busy) s->stream.cancel();
      });
    }
  }
}

std::uint16_t HttpServer::port() const noexcept { return impl_->bound_port; }
const ServerOptions& HttpServer::options() const noexcept { return impl_->opts; }
std::size_t HttpServer::open_connections() const noexcept { return impl_->connections.load(); }

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    tcp::socket socket(asio::make_strand(ioc));
    auto [ec] = co_await acceptor.async_accept(socket, use_tuple);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      log::warn("accept failed", {{"listener", opts.name}, {"error", ec.message()}});
      continue;
    }
    if (connections.load() >= opts.max_connections) {
      if (auto* m = metrics.load()) m->connection_rejected();
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto session = std::make_shared<Session>(std::move(socket));
    std::uint64_t id = 0;
    {
      std::lock_guard lock(sessions_mutex);
      id = next_session_id++;
      sessions.emplace(id, session);
    }
    connections.fetch_add(1);
    if (auto* m = metrics.load()) m->connection_opened();
    asio::co_spawn(session->stream.get_executor(),
                   [self, session, id]() { return self->run_session(session, id); }, asio::detached);
  }
}

asio::awaitable<bool> HttpServer::Impl::respond(Session& session, HttpResponse response, bool keep_alive,
                                                unsigned version, std::string_view route,
                                                std::chrono::steady_clock::time_point started) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "bokade");
  res.set(http::field::content_type, response.content_type);
  for (auto& [k, v] : response.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  session.stream.expires_after(opts.request_timeout);
  auto [ec, n] = co_await http::async_write(session.stream, res, use_tuple);
  if (auto* m = metrics.load()) m->observe(route, response.status, std::chrono::steady_clock::now() - started);
  co_return !ec && keep_alive;
}

asio::awaitable<void> HttpServer::Impl::run_session(std::shared_ptr<Session> session, std::uint64_t id) {
  auto self = shared_from_this();
  struct Cleanup {
    Impl* impl;
    std::uint64_t id;
    ~Cleanup() {
      {
        std::lock_guard lock(impl->sessions_mutex);
        impl->sessions.erase(id);
      }
      impl->connections.fetch_sub(1);
      if (auto* m = impl->metrics.load()) m->connection_closed();
    }
  } cleanup{this, id};

  beast::flat_buffer buffer;
  bool first = true;
  std::string remote;
  {
    boost::system::error_code ec;
    const auto ep = session->stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  for (;;) {
    if (stopping) break;
    http::request_parser<http::string_body> parser;
    std::size_t body_limit = opts.max_body_bytes;
    parser.body_limit(body_limit);
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));

    session->stream.expires_after(first ? opts.request_timeout : opts.idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(session->stream, buffer, parser, use_tuple);
    session->busy = true;
    const auto started = std::chrono::steady_clock::now();
    boost::system::error_code ec = hec;
    if (!ec) {
      // A route may allow a larger body than the listener (e.g. a batch of engagement transactions).
      const auto& header = parser.get();
      const auto target = std::string_view(header.target().data(), header.target().size());
      auto early = router.match(std::string_view(header.method_string().data(), header.method_string().size()),
                                target.substr(0, target.find('?')));
      if (early.max_body > 0) {
        body_limit = early.max_body;
        parser.body_limit(body_limit);
      }
      session->stream.expires_after(opts.request_timeout);
      auto [bec, bn] = co_await http::async_read(session->stream, buffer, parser, use_tuple);
      ec = bec;
    }
    first = false;
    if (ec) {
      // The client went away, was too slow, or we are stopping: nothing to answer.
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset || ec == asio::error::eof) {
        break;
      }
      unsigned status = 400;
      std::string detail = fmt::format("the request could not be read: {}", ec.message());
      if (ec == http::error::header_limit) {
        status = 431;
        detail = fmt::format("request headers exceed {} bytes", opts.max_header_bytes);
      } else if (ec == http::error::body_limit) {
        status = 413;
        detail = fmt::format("request body exceeds {} bytes", body_limit);
      }
      co_await respond(*session, error_response(status, detail), false, 11, "unmatched", started);
      break;
    }

    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.remote = remote;
    const auto qpos = request.target.find('?');
    const std::string_view raw_path = std::string_view(request.target).substr(0, qpos);
    if (qpos != std::string::npos) request.query = request.target.substr(qpos + 1);
    for (const auto& field : req) request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(req.body());
    const bool keep_alive = req.keep_alive() && !stopping;
    const unsigned version = req.version();

    auto decoded = percent_decode(raw_path, false);
    HttpResponse response;
    std::string_view route = "unmatched";
    if (!decoded || raw_path.empty() || raw_path.front() != '/') {
      response = error_response(400, "the request target is not a valid path");
    } else {
      request.path = std::move(*decoded);
      auto match = router.match(request.method, request.path);
      route = match.name;
      if (!match.handler) {
        response = match.status == 405
                       ? error_response(405, fmt::format("{} is not allowed here; use {}", request.method, match.allow))
                       : error_response(404, "no such resource");
        if (match.status == 405) response.headers.emplace_back("Allow", match.allow);
      } else {
        request.params = std::move(match.params);
        try {
          response = co_await (*match.handler)(request);
        } catch (const std::exception& e) {
          log::error("request handler failed", {{"listener", opts.name}, {"route", route}, {"error", e.what()}});
          response = error_response(500, "the request could not be handled; see the daemon's log");
        }
      }
    }
    // Stopping may have begun while the handler ran: then this response closes the connection.
    const bool again =
        co_await respond(*session, std::move(response), keep_alive && !stopping, version, route, started);
    session->busy = false;
    if (!again || stopping) break;
  }
  boost::system::error_code ignored;
  session->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  session->stream.close();
}

}  // namespace bokade::net
