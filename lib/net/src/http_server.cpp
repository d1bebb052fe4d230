#include "bokade/net/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "bokade/core/log.hpp"
#include "bokade/core/text.hpp"
#include "bokade/metrics/metrics.hpp"

namespace bokade::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How long a closing TLS connection waits for the peer's close_notify. Ours is sent at once; waiting
// longer would only hold a connection slot (and stop()) for a peer that is not reading.
constexpr std::chrono::milliseconds tls_shutdown_timeout{500};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Stream = std::variant<PlainStream, TlsStream>;

Stream make_stream(tcp::socket socket, ssl::context* tls) {
  if (tls) return Stream(std::in_place_type<TlsStream>, std::move(socket), *tls);
  return Stream(std::in_place_type<PlainStream>, std::move(socket));
}

struct Session {
  Session(tcp::socket socket, ssl::context* tls) : stream(make_stream(std::move(socket), tls)) {}
  Stream stream;
  bool busy = false;  // touched only on the session's strand
  // The TCP layer: deadlines, cancel and close act here whether or not TLS runs on top.
  beast::tcp_stream& lowest() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
};

// Lower-cased consumer HSA-ids; replaced whole, never changed in place.
using ConsumerSet = std::set<std::string, std::less<>>;

std::shared_ptr<const ConsumerSet> make_consumer_set(const std::vector<std::string>& consumers) {
  auto set = std::make_shared<ConsumerSet>();
  for (const auto& c : consumers) {
    if (!c.empty()) set->insert(to_lower(c));
  }
  return set;
}

HttpResponse error_response(unsigned status, std::string_view detail) {
  return HttpResponse::problem(status, reason_phrase(status), detail);
}

// The reason of the oldest error in OpenSSL's queue (e.g. "no start line", "key values mismatch");
// empties the queue so that it does not leak into a later, unrelated error.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_error();
  std::string out = "unknown error";
  if (code != 0) {
    if (const char* reason = ERR_reason_error_string(code)) {
      out = reason;
    } else {
      char buf[256];
      ERR_error_string_n(code, buf, sizeof buf);
      out = buf;
    }
  }
  ERR_clear_error();
  return out;
}

// Fails naming the file when it cannot be opened (OpenSSL's own message for that is obscure).
Status readable(std::string_view listener, std::string_view what, const std::string& path) {
  if (path.empty()) return fail(fmt::format("{} listener: TLS {} file is not set", listener, what));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(fmt::format("{} listener: cannot read TLS {} {}: {}", listener, what, path, std::strerror(errno)));
  std::fclose(f);
  return {};
}

// A pem_password_cb that supplies no passphrase: without it OpenSSL would prompt on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

// The server context: our certificate and key, TLS 1.2 at least, and when a client CA is given,
// client certificates required and verified against it.
Expected<std::unique_ptr<ssl::context>> make_tls_context(std::string_view listener, const ServerTlsOptions& o) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // Renegotiation would let a client swap its certificate (its identity) on an open connection.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return fail(fmt::format("{} listener: cannot require TLS 1.2: {}", listener, openssl_reason()));
  }

  if (auto st = readable(listener, "certificate", o.certificate_file); !st) return Unexpected<Error>{st.error()};
  if (SSL_CTX_use_certificate_chain_file(native, o.certificate_file.c_str()) != 1) {
    return fail(fmt::format("{} listener: TLS certificate {} is not a PEM certificate chain ({})", listener,
                            o.certificate_file, openssl_reason()));
  }

  if (auto st = readable(listener, "private key", o.private_key_file); !st) return Unexpected<Error>{st.error()};
  {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(o.private_key_file.c_str(), "r"), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr) : nullptr, &EVP_PKEY_free);
    if (!key) {
      return fail(fmt::format("{} listener: TLS private key {} is not an unencrypted PEM private key ({})", listener,
                              o.private_key_file, openssl_reason()));
    }
    if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
      return fail(fmt::format("{} listener: TLS private key {} does not match the certificate in {} ({})", listener,
                              o.private_key_file, o.certificate_file, openssl_reason()));
    }
  }

  if (!o.client_ca_file.empty()) {
    if (auto st = readable(listener, "client CA", o.client_ca_file); !st) return Unexpected<Error>{st.error()};
    if (SSL_CTX_load_verify_locations(native, o.client_ca_file.c_str(), nullptr) != 1) {
      return fail(fmt::format("{} listener: TLS client CA {} is not a PEM certificate bundle ({})", listener,
                              o.client_ca_file, openssl_reason()));
    }
    // Named in the CertificateRequest, so that a client holding several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
    if (!names) {
      return fail(fmt::format("{} listener: TLS client CA {} holds no usable certificate ({})", listener,
                              o.client_ca_file, openssl_reason()));
    }
    SSL_CTX_set_client_CA_list(native, names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  // Without a session id context, OpenSSL refuses to resume a session on a context that verifies
  // clients: every resuming client would fail its handshake.
  static constexpr unsigned char session_context[] = "bokade";
  SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
  return ctx;
}

// The consumer's HSA-id: the (verified) peer certificate subject's serialNumber. Empty without a
// certificate, without that attribute, or when it appears twice (which one would be meant?).
std::string consumer_of(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (at < 0 || X509_NAME_get_index_by_NID(subject, NID_serialNumber, at) >= 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, value);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  // An HSA-id is printable ASCII; anything else cannot be one and must not reach logs or headers.
  const bool printable = std::all_of(out.begin(), out.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  return printable ? out : std::string();
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions o, Router r, metrics::HttpMetrics* m)
      : ioc(io),
        opts(std::move(o)),
        router(std::move(r)),
        metrics(m),
        acceptor(asio::make_strand(io)),
        allowed(make_consumer_set(opts.tls ? opts.tls->allowed_consumers : std::vector<std::string>{})) {}

  asio::io_context& ioc;
  ServerOptions opts;
  Router router;
  // Cleared when the HttpServer goes away: session frames destroyed later (with their io_context)
  // must not touch metrics that may be gone by then.
  std::atomic<metrics::HttpMetrics*> metrics;
  tcp::acceptor acceptor;
  std::unique_ptr<ssl::context> tls;  // set by listen() when opts.tls is; read-only afterwards
  std::atomic<std::shared_ptr<const ConsumerSet>> allowed;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::uint16_t bound_port = 0;
  std::mutex sessions_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_session_id = 0;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run_session(std::shared_ptr<Session> session, std::uint64_t id);
  // The TLS handshake under the request deadline; the consumer's HSA-id (maybe empty), or nullopt
  // when the handshake failed and the connection is to be closed.
  asio::awaitable<std::optional<std::string>> handshake(TlsStream& stream, const std::string& remote);
  // The request loop, one for plain and TLS streams.
  template <class S>
  asio::awaitable<void> serve(Session& session, S& stream, const std::string& remote, const std::string& consumer);
  template <class S>
  asio::awaitable<bool> respond(S& stream, HttpResponse response, bool keep_alive, unsigned version,
                                std::string_view route, std::chrono::steady_clock::time_point started);
  // Nullopt when the consumer may use this listener now; else why not, for the 403.
  [[nodiscard]] std::optional<std::string> refusal(const std::string& consumer) const;
};

HttpServer::HttpServer(asio::io_context& ioc, ServerOptions options, Router router, metrics::HttpMetrics* metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(router), metrics)) {}

HttpServer::~HttpServer() {
  stop();
  impl_->metrics.store(nullptr);
}

Status HttpServer::listen() {
  // The TLS files first: a listener that cannot speak TLS must not take its port at all.
  if (impl_->opts.tls) {
    auto ctx = make_tls_context(impl_->opts.name, *impl_->opts.tls);
    if (!ctx) return Unexpected<Error>{ctx.error()};
    impl_->tls = std::move(*ctx);
  }
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
      asio::post(s->lowest().get_executor(), [s] {
        if (!s->busy) s->lowest().cancel();
      });
    }
  }
}

void HttpServer::set_allowed_consumers(std::vector<std::string> consumers) {
  auto next = make_consumer_set(consumers);
  log::info("consumer allowlist replaced", {{"listener", impl_->opts.name}, {"consumers", next->size()}});
  impl_->allowed.store(std::move(next));
}

std::vector<std::string> HttpServer::allowed_consumers() const {
  const auto current = impl_->allowed.load();
  return {current->begin(), current->end()};
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
    auto session = std::make_shared<Session>(std::move(socket), tls.get());
    std::uint64_t id = 0;
    {
      std::lock_guard lock(sessions_mutex);
      id = next_session_id++;
      sessions.emplace(id, session);
    }
    connections.fetch_add(1);
    if (auto* m = metrics.load()) m->connection_opened();
    asio::co_spawn(session->lowest().get_executor(),
                   [self, session, id]() { return self->run_session(session, id); }, asio::detached);
  }
}

std::optional<std::string> HttpServer::Impl::refusal(const std::string& consumer) const {
  const auto list = allowed.load();
  if (list->empty()) return std::nullopt;
  if (consumer.empty()) {
    return std::string(tls && opts.tls && !opts.tls->client_ca_file.empty()
                           ? "the client certificate names no consumer (no subject serialNumber)"
                           : "no client certificate identifies the consumer");
  }
  if (list->contains(to_lower(consumer))) return std::nullopt;
  return fmt::format("consumer {} is not allowed", consumer);
}

template <class S>
asio::awaitable<bool> HttpServer::Impl::respond(S& stream, HttpResponse response, bool keep_alive, unsigned version,
                                                std::string_view route,
                                                std::chrono::steady_clock::time_point started) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "bokade");
  res.set(http::field::content_type, response.content_type);
  for (auto& [k, v] : response.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(opts.request_timeout);
  auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
  if (auto* m = metrics.load()) m->observe(route, response.status, std::chrono::steady_clock::now() - started);
  co_return !ec && keep_alive;
}

asio::awaitable<std::optional<std::string>> HttpServer::Impl::handshake(TlsStream& stream, const std::string& remote) {
  // A client that never finishes its handshake holds a connection slot: the same deadline as a request.
  beast::get_lowest_layer(stream).expires_after(opts.request_timeout);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (!ec) co_return consumer_of(stream.native_handle());
  if (stopping && ec == asio::error::operation_aborted) co_return std::nullopt;  // stop(), not the client
  if (auto* m = metrics.load()) m->tls_handshake_failed();
  // Why, in OpenSSL's words plus the certificate check's verdict; never the certificate's subject.
  std::string error = ec.message();
  if (const long verify = SSL_get_verify_result(stream.native_handle()); verify != X509_V_OK) {
    error += fmt::format("; client certificate: {}", X509_verify_cert_error_string(verify));
  }
  log::info("TLS handshake failed", {{"listener", opts.name}, {"remote", remote}, {"error", error}});
  co_return std::nullopt;
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

  std::string remote;
  {
    boost::system::error_code ec;
    const auto ep = session->lowest().socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  auto& lowest = session->lowest();
  if (auto* stream = std::get_if<TlsStream>(&session->stream)) {
    std::optional<std::string> consumer;
    if (!stopping) consumer = co_await handshake(*stream, remote);
    if (consumer) {
      co_await serve(*session, *stream, remote, *consumer);
      // close_notify, so that the client can tell our close from a truncation; not waiting long for its own.
      if (lowest.socket().is_open()) {
        lowest.expires_after(std::min(opts.request_timeout, tls_shutdown_timeout));
        co_await stream->async_shutdown(use_tuple);
      }
    }
  } else {
    co_await serve(*session, std::get<PlainStream>(session->stream), remote, std::string());
  }
  boost::system::error_code ignored;
  lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest.close();
}

template <class S>
asio::awaitable<void> HttpServer::Impl::serve(Session& session, S& stream, const std::string& remote,
                                              const std::string& consumer) {
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  bool first = true;
  bool refusal_logged = false;
  for (;;) {
    if (stopping) break;
    http::request_parser<http::string_body> parser;
    std::size_t body_limit = opts.max_body_bytes;
    parser.body_limit(body_limit);
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));

    lowest.expires_after(first ? opts.request_timeout : opts.idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    session.busy = true;
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
      lowest.expires_after(opts.request_timeout);
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
      ec = bec;
    }
    first = false;
    if (ec) {
      // The client went away, was too slow, or we are stopping: nothing to answer. A TLS error
      // (including a close without close_notify) leaves nothing to answer on either.
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset || ec == asio::error::eof || ec == ssl::error::stream_truncated ||
          ec.category() == asio::error::get_ssl_category()) {
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
      co_await respond(stream, error_response(status, detail), false, 11, "unmatched", started);
      break;
    }

    auto& req = parser.get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.remote = remote;
    request.consumer = consumer;
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
    } else if (auto refused = refusal(consumer)) {
      // Checked on every request, so that a consumer taken off the list (SIGHUP) loses its open
      // connections too. Before routing: a refused consumer learns nothing about the routes.
      route = router.match(request.method, *decoded).name;
      response = error_response(403, *refused);
      if (!refusal_logged) {
        refusal_logged = true;
        log::info("consumer refused", {{"listener", opts.name}, {"remote", remote}, {"consumer", consumer}});
      }
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
    const bool again = co_await respond(stream, std::move(response), keep_alive && !stopping, version, route, started);
    session.busy = false;
    if (!again || stopping) break;
  }
}

}  // namespace bokade::net
