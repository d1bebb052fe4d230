#pragma once
// Load control for outbound calls: a counting semaphore for concurrency, a token bucket for rate, and
// a circuit breaker per booking system. All are safe to use from coroutines on several threads.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace bokade::fanout {

using Clock = std::chrono::steady_clock;

// At most `limit` holders at once; waiters are served in arrival order.
class AsyncSemaphore {
 public:
  explicit AsyncSemaphore(std::size_t limit);
  // Resumes once a place is held; the place is given back when the returned Permit goes away.
  class Permit {
   public:
    Permit() = default;
    explicit Permit(AsyncSemaphore* s) : s_(s) {}
    Permit(Permit&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        release();
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~Permit() { release(); }
    void release();

   private:
    AsyncSemaphore* s_ = nullptr;
  };
  boost::asio::awaitable<Permit> acquire();
  [[nodiscard]] std::size_t in_use() const;
  [[nodiscard]] std::size_t waiting() const;

 private:
  void give_back();
  mutable std::mutex mutex_;
  std::size_t limit_;
  std::size_t in_use_ = 0;
  std::deque<std::function<void()>> waiters_;
};

// `rate` tokens a second, holding at most `burst`. reserve() takes one token now and says how long the
// caller must wait before using it (zero when one was available): callers queue fairly, in time.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst);
  Clock::duration reserve(Clock::time_point now = Clock::now());

 private:
  std::mutex mutex_;
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

// Opens after `failure_threshold` consecutive failures and stays open for `open_for`; then lets one
// probe through (half-open): its success closes the breaker, its failure opens it again.
class CircuitBreaker {
 public:
  enum class State : std::uint8_t { closed, open, half_open };
  CircuitBreaker(std::uint32_t failure_threshold, Clock::duration open_for);

  // Whether a call may go now. In half-open state only the first caller gets true.
  bool allow(Clock::time_point now = Clock::now());
  void record_success();
  // `may_open`: false when too many breakers are open already (the caller's global share check).
  void record_failure(bool may_open, Clock::time_point now = Clock::now());
  [[nodiscard]] State state(Clock::time_point now = Clock::now()) const;
  [[nodiscard]] bool is_open(Clock::time_point now = Clock::now()) const;

 private:
  mutable std::mutex mutex_;
  std::uint32_t threshold_;
  Clock::duration open_for_;
  std::uint32_t consecutive_failures_ = 0;
  bool open_ = false;
  bool probing_ = false;
  Clock::time_point opened_at_{};
};

std::string_view to_string(CircuitBreaker::State s) noexcept;

}  // namespace bokade::fanout
