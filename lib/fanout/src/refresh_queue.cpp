#include "bokade/fanout/refresh_queue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bokade/core/log.hpp"

namespace bokade::fanout {
namespace asio = boost::asio;

struct RefreshQueue::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Refresher& r, std::size_t w, std::size_t max)
      : executor(ex), strand(asio::make_strand(ex)), wakeup(strand), refresher(r), workers(w), max_persons(max) {
    wakeup.expires_at(asio::steady_timer::time_point::max());
  }

  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer wakeup;  // touched only on `strand`; cancelled to wake idle workers
  Refresher& refresher;
  std::size_t workers;
  std::size_t max_persons;

  mutable std::mutex mutex;
  std::deque<std::string> order;
  std::map<std::string, std::set<std::string>> pending;
  Stats stats;
  bool stopped = false;

  void wake() {
    asio::post(strand, [self = shared_from_this()] { self->wakeup.cancel(); });
  }

  asio::awaitable<void> worker() {
    auto self = shared_from_this();
    for (;;) {
      std::string person;
      std::set<std::string> addresses;
      {
        std::lock_guard lock(mutex);
        if (stopped) co_return;
        if (!order.empty()) {
          person = std::move(order.front());
          order.pop_front();
          auto node = pending.extract(person);
          addresses = std::move(node.mapped());
          ++stats.running;
        }
      }
      if (person.empty()) {
        // Sleep until enqueue() or stop() cancels the timer (the timer lives on the strand).
        co_await asio::post(strand, asio::use_awaitable);
        if (wakeup.expiry() != asio::steady_timer::time_point::max()) {
          wakeup.expires_at(asio::steady_timer::time_point::max());
        }
        bool again = false;
        {
          std::lock_guard lock(mutex);
          again = stopped || !order.empty();
        }
        if (!again) co_await wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      auto id = PersonId::parse(person);
      if (id) {
        try {
          co_await refresher.refresh(*id, std::vector<std::string>(addresses.begin(), addresses.end()));
        } catch (const std::exception& e) {
          log::error("refresh failed", {{"person", id->masked()}, {"error", e.what()}});
        }
      }
      std::lock_guard lock(mutex);
      --stats.running;
      ++stats.done;
    }
  }
};

RefreshQueue::RefreshQueue(asio::any_io_executor executor, Refresher& refresher, std::size_t workers,
                           std::size_t max_persons)
    : impl_(std::make_shared<Impl>(std::move(executor), refresher, std::max<std::size_t>(1, workers), max_persons)) {}

RefreshQueue::~RefreshQueue() { stop(); }

bool RefreshQueue::enqueue(const std::string& person, const std::set<std::string>& addresses) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return false;
    auto it = impl_->pending.find(person);
    if (it != impl_->pending.end()) {
      it->second.insert(addresses.begin(), addresses.end());
      ++impl_->stats.coalesced;
      return true;
    }
    if (impl_->pending.size() >= impl_->max_persons) {
      ++impl_->stats.refused;
      return false;
    }
    impl_->pending.emplace(person, addresses);
    impl_->order.push_back(person);
  }
  impl_->wake();
  return true;
}

void RefreshQueue::start() {
  for (std::size_t i = 0; i < impl_->workers; ++i) {
    asio::co_spawn(impl_->strand, [self = impl_] { return self->worker(); }, asio::detached);
  }
}

void RefreshQueue::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->wake();
}

RefreshQueue::Stats RefreshQueue::stats() const {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stats;
  s.waiting = impl_->order.size();
  return s;
}

}  // namespace bokade::fanout
