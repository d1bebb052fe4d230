#include "bokade/fanout/limits.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace bokade::fanout {
namespace asio = boost::asio;

void AsyncSemaphore::Permit::release() {
  if (s_) std::exchange(s_, nullptr)->give_back();
}

AsyncSemaphore::AsyncSemaphore(std::size_t limit) : limit_(std::max<std::size_t>(1, limit)) {}

asio::awaitable<AsyncSemaphore::Permit> AsyncSemaphore::acquire() {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto resume = [shared, executor] { asio::post(executor, [shared]() mutable { (*shared)(); }); };
        std::unique_lock lock(mutex_);
        if (in_use_ < limit_) {
          ++in_use_;
          lock.unlock();
          resume();
        } else {
          waiters_.emplace_back(std::move(resume));  // the place is handed over by give_back()
        }
      },
      asio::use_awaitable);
  co_return Permit(this);
}

void AsyncSemaphore::give_back() {
  std::function<void()> next;
  {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      --in_use_;
      return;
    }
    next = std::move(waiters_.front());  // in_use_ stays: the place passes to the waiter
    waiters_.pop_front();
  }
  next();
}

std::size_t AsyncSemaphore::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

std::size_t AsyncSemaphore::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(std::max(rate_per_second, 1e-6)), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(Clock::now()) {}

Clock::duration TokenBucket::reserve(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }
  tokens_ -= 1.0;
  if (tokens_ >= 0.0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
}

CircuitBreaker::CircuitBreaker(std::uint32_t failure_threshold, Clock::duration open_for)
    : threshold_(std::max<std::uint32_t>(1, failure_threshold)), open_for_(open_for) {}

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (now - opened_at_ < open_for_) return false;
  if (probing_) return false;
  probing_ = true;  // half-open: this caller is the probe
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  open_ = false;
  probing_ = false;
}

void CircuitBreaker::record_failure(bool may_open, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (open_ && probing_) {
    probing_ = false;  // the probe failed: open again for a full period
    opened_at_ = now;
    return;
  }
  if (!open_ && consecutive_failures_ >= threshold_ && may_open) {
    open_ = true;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!open_) return State::closed;
  return now - opened_at_ < open_for_ ? State::open : State::half_open;
}

bool CircuitBreaker::is_open(Clock::time_point now) const { return state(now) != State::closed; }

std::string_view to_string(CircuitBreaker::State s) noexcept {
  switch (s) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "closed";
}

}  // namespace bokade::fanout
