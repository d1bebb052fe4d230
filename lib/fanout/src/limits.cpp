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
    // Above a lowered limit the place is not handed on: holders drain down to the new limit first.
    if (waiters_.empty() || in_use_ > limit_) {
      --in_use_;
      return;
    }
    next = std::move(waiters_.front());  // in_use_ stays: the place passes to the waiter
    waiters_.pop_front();
  }
  next();
}

void AsyncSemaphore::set_limit(std::size_t limit) {
  std::deque<std::function<void()>> woken;
  {
    std::lock_guard lock(mutex_);
    limit_ = std::max<std::size_t>(1, limit);
    while (in_use_ < limit_ && !waiters_.empty()) {
      ++in_use_;
      woken.push_back(std::move(waiters_.front()));
      waiters_.pop_front();
    }
  }
  for (auto& resume : woken) resume();  // each only posts its waiter: nothing runs under the lock
}

std::size_t AsyncSemaphore::limit() const {
  std::lock_guard lock(mutex_);
  return limit_;
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

void TokenBucket::refill(Clock::time_point now) {
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }
}

Clock::duration TokenBucket::reserve(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  refill(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0.0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
}

std::optional<Clock::duration> TokenBucket::try_reserve(Clock::duration max_wait, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  refill(now);
  const double after = tokens_ - 1.0;
  if (after >= 0.0) {
    tokens_ = after;
    return Clock::duration::zero();
  }
  const auto wait = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-after / rate_));
  if (wait >= max_wait) return std::nullopt;
  tokens_ = after;
  return wait;
}

void TokenBucket::set_rate(double rate_per_second, double burst, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  refill(now);  // what accrued so far accrued at the old rate
  const double rate = std::max(rate_per_second, 1e-6);
  // A debt of d tokens clears d / rate seconds from now; keep that moment under the new rate.
  if (tokens_ < 0.0) tokens_ *= rate / rate_;
  rate_ = rate;
  burst_ = std::max(burst, 1.0);
  tokens_ = std::min(tokens_, burst_);
}

double TokenBucket::rate() const {
  std::lock_guard lock(mutex_);
  return rate_;
}

double TokenBucket::burst() const {
  std::lock_guard lock(mutex_);
  return burst_;
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

void CircuitBreaker::set_policy(std::uint32_t failure_threshold, Clock::duration open_for) {
  std::lock_guard lock(mutex_);
  threshold_ = std::max<std::uint32_t>(1, failure_threshold);
  open_for_ = open_for;
}

std::uint32_t CircuitBreaker::failure_threshold() const {
  std::lock_guard lock(mutex_);
  return threshold_;
}

Clock::duration CircuitBreaker::open_for() const {
  std::lock_guard lock(mutex_);
  return open_for_;
}

std::string_view to_string(CircuitBreaker::State s) noexcept {
  switch (s) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "closed";
}

}  // namespace bokade::fanout
