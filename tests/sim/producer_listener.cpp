#include "producer_listener.hpp"

#include <array>
#include <atomic>
#include <future>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bokade/core/log.hpp"

namespace bokade::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string head(unsigned status, std::size_t length, bool keep_alive) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : status == 404 ? " Not Found" : " Internal Server Error");
  h += "\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Length: " + std::to_string(length);
  h += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  return h;
}
}  // namespace

struct ProducerListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Producers& p, std::size_t s, std::string pth, std::string addr)
      : strand(asio::make_strand(io)), producers(p), system(s), path(std::move(pth)), address(std::move(addr)),
        acceptor(strand) {}

  asio::strand<asio::io_context::executor_type> strand;
  Producers& producers;
  std::size_t system;
  std::string path;
  std::string address;
  tcp::acceptor acceptor;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> open{false};
  // Touched on the strand only.
  std::map<std::uint64_t, std::shared_ptr<tcp::socket>> sockets;
  std::uint64_t next_id = 0;

  Status bind() {
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(address, ec), bound_port.load());
    if (ec) return fail("bad listen address " + address);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      return fail("producer listener " + path + ": " + ec.message());
    }
    bound_port = acceptor.local_endpoint().port();
    open = true;
    asio::co_spawn(strand, accept_loop(shared_from_this()), asio::detached);
    return {};
  }

  void close_all() {
    open = false;
    boost::system::error_code ec;
    acceptor.close(ec);
    for (auto& [id, s] : sockets) {
      s->set_option(asio::socket_base::linger(true, 0), ec);  // refuse hard: RST, not a polite FIN
      s->close(ec);
    }
    sockets.clear();
  }

  static asio::awaitable<Status> open_on_strand(std::shared_ptr<Impl> self) { co_return self->open ? Status{} : self->bind(); }
  static asio::awaitable<void> close_on_strand(std::shared_ptr<Impl> self) {
    self->close_all();
    co_return;
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(self->strand, use_tuple);
      if (ec) co_return;
      socket.set_option(tcp::no_delay(true), ec);
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      const auto id = self->next_id++;
      self->sockets.emplace(id, shared);
      asio::co_spawn(self->strand, session(self, shared, id), asio::detached);
    }
  }

  static asio::awaitable<void> session(std::shared_ptr<Impl> self, std::shared_ptr<tcp::socket> socket, std::uint64_t id) {
    beast::flat_buffer buffer;
    // Shared with the socket wait below, whose handler may run after this frame is gone.
    auto timer_ptr = std::make_shared<asio::steady_timer>(self->strand);
    asio::steady_timer& timer = *timer_ptr;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(4u << 20);
      auto [ec, n] = co_await http::async_read(*socket, buffer, parser, use_tuple);
      if (ec) break;
      const auto& req = parser.get();
      const bool keep_alive = req.keep_alive();
      ProducerReply reply;
      if (req.method() != http::verb::post || req.target() != self->path) {
        const std::string body = "POST " + self->path + " only\n";
        auto [wec, wn] = co_await asio::async_write(*socket, asio::buffer(head(404, body.size(), keep_alive) + body), use_tuple);
        if (wec || !keep_alive) break;
        continue;
      }
      auto request = rivta::read_schedule_request(req.body());
      reply = request ? self->producers.answer(self->system, *request) : Producers::unreadable(request.error().reason);
      if (reply.delay.count() > 0) {
        timer.expires_after(reply.delay);
        co_await timer.async_wait(use_tuple);
      }
      if (reply.mode == FaultMode::timeout) {
        // Hold the connection without a word until the client gives up (or ten minutes pass).
        timer.expires_after(10min);
        socket->async_wait(tcp::socket::wait_read, [timer_ptr](boost::system::error_code) { timer_ptr->cancel(); });
        co_await timer.async_wait(use_tuple);
        break;
      }
      if (reply.mode == FaultMode::refused) {
        boost::system::error_code ignored;
        socket->set_option(asio::socket_base::linger(true, 0), ignored);
        break;
      }
      const std::string header = head(reply.status, reply.body.size(), keep_alive);
      if (reply.mode == FaultMode::reset) {
        // Promise the whole body, send half of it, then reset the connection.
        co_await asio::async_write(*socket, std::array<asio::const_buffer, 2>{asio::buffer(header), asio::buffer(reply.body.data(), reply.body.size() / 2)},
                                   use_tuple);
        boost::system::error_code ignored;
        socket->set_option(asio::socket_base::linger(true, 0), ignored);
        break;
      }
      if (reply.mode == FaultMode::drip) {
        const std::string all = header + reply.body;
        const auto& s = self->producers.settings();
        bool failed = false;
        for (std::size_t pos = 0; pos < all.size() && !failed; pos += s.drip_chunk) {
          auto [wec, wn] = co_await asio::async_write(*socket, asio::buffer(all.data() + pos, std::min(s.drip_chunk, all.size() - pos)), use_tuple);
          failed = static_cast<bool>(wec);
          if (!failed && pos + s.drip_chunk < all.size()) {
            timer.expires_after(s.drip_interval);
            co_await timer.async_wait(use_tuple);
          }
        }
        if (failed || !keep_alive) break;
        continue;
      }
      auto [wec, wn] = co_await asio::async_write(*socket, std::array<asio::const_buffer, 2>{asio::buffer(header), asio::buffer(reply.body)}, use_tuple);
      if (wec || !keep_alive) break;
    }
    boost::system::error_code ec;
    socket->close(ec);
    self->sockets.erase(id);
  }
};

ProducerListener::ProducerListener(asio::io_context& ioc, Producers& producers, std::size_t system, std::string path,
                                   std::string address)
    : impl_(std::make_shared<Impl>(ioc, producers, system, std::move(path), std::move(address))) {}

ProducerListener::~ProducerListener() = default;  // main closes listeners while the io_context still runs

Status ProducerListener::open() {
  if (impl_->open) return {};
  auto done = std::make_shared<std::promise<Status>>();
  auto result = done->get_future();
  asio::dispatch(impl_->strand, [impl = impl_, done] { done->set_value(impl->open ? Status{} : impl->bind()); });
  if (result.wait_for(5s) != std::future_status::ready) return fail("producer listener " + impl_->path + ": io threads not running");
  return result.get();
}

void ProducerListener::close() {
  auto done = std::make_shared<std::promise<void>>();
  auto result = done->get_future();
  asio::dispatch(impl_->strand, [impl = impl_, done] {
    impl->close_all();
    done->set_value();
  });
  // The io_context may already be stopped at shutdown: do not wait forever then.
  result.wait_for(2s);
}

// Static coroutines with the Impl as a parameter: a lambda coroutine's captures would live in the
// closure, not in the coroutine frame.
asio::awaitable<Status> ProducerListener::open_async() {
  co_return co_await asio::co_spawn(impl_->strand, Impl::open_on_strand(impl_), asio::use_awaitable);
}

asio::awaitable<void> ProducerListener::close_async() {
  co_await asio::co_spawn(impl_->strand, Impl::close_on_strand(impl_), asio::use_awaitable);
}

bool ProducerListener::is_open() const noexcept { return impl_->open; }
std::uint16_t ProducerListener::port() const noexcept { return impl_->bound_port; }
const std::string& ProducerListener::path() const noexcept { return impl_->path; }

}  // namespace bokade::sim
