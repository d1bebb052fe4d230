#pragma once
// Load control for outbound calls: a counting semaphore for concurrency, a token bucket for rate, and
// a circuit breaker per booking system. All are safe to use from coroutines on several threads, and
// each can take new limits while in use (a SIGHUP reload): set_limit(), set_rate(), set_policy().

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

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
  // A larger limit wakes as many waiters as it has room for at once. A smaller one takes nothing away
  // from holders: places given back are not handed on until fewer than `limit` are held.
  void set_limit(std::size_t limit);
  [[nodiscard]] std::size_t limit() const;
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
  // Like reserve(), but takes the token only when the wait would be shorter than `max_wait`; nullopt
  // (and nothing taken) otherwise. A caller that gives up must not keep a token: under overload every
  // abandoned reservation would push all later ones further out, until nobody is ever served.
  std::optional<Clock::duration> try_reserve(Clock::duration max_wait, Clock::time_point now = Clock::now());
  // New rate and size from now on. Reservations already handed out keep their times: a debt of
  // reserved tokens is rescaled so that it is paid off at the moment it would have been at the old rate,
  // and later callers queue behind it at the new rate. Tokens above the new burst are dropped.
  void set_rate(double rate_per_second, double burst, Clock::time_point now = Clock::now());
  [[nodiscard]] double rate() const;
  [[nodiscard]] double burst() const;

 private:
  void refill(Clock::time_point now);  // with mutex_ held
  mutable std::mutex mutex_;
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
  // New policy from now on. An open breaker's open period is measured with the new `open_for` from when
  // it opened; a closed one opens at its next failure if the failures counted so far reach the new
  // threshold (never by the change itself: opening needs the caller's share check).
  void set_policy(std::uint32_t failure_threshold, Clock::duration open_for);
  [[nodiscard]] std::uint32_t failure_threshold() const;
  [[nodiscard]] Clock::duration open_for() const;

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
