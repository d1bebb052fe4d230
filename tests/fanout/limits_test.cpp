#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "bokade/fanout/limits.hpp"

using namespace bokade::fanout;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("token bucket: a burst at once, then the rate") {
  TokenBucket b(10.0, 5.0);  // 10/s, burst 5
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) CHECK(b.reserve(t0) == Clock::duration::zero());
  // The 6th waits 0.1 s, the 7th 0.2 s: callers are queued fairly in time.
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(0.1));
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(0.2));
  // Two seconds later the bucket is full again (never more than the burst).
  const auto later = t0 + 2s;
  for (int i = 0; i < 5; ++i) CHECK(b.reserve(later) == Clock::duration::zero());
  CHECK(b.reserve(later) > Clock::duration::zero());
}

TEST_CASE("token bucket: over a long run the rate holds") {
  TokenBucket b(50.0, 1.0);
  auto t = Clock::now();
  Clock::time_point last_allowed = t;
  for (int i = 0; i < 500; ++i) last_allowed = t + b.reserve(t);
  // 500 calls at 50/s with a burst of 1 cannot all be done before ~10 s.
  CHECK(std::chrono::duration<double>(last_allowed - t).count() == doctest::Approx(9.98).epsilon(0.01));
}

TEST_CASE("circuit breaker: opens after N failures, probes once, closes on success") {
  CircuitBreaker cb(3, 1s);
  const auto t0 = Clock::now();
  CHECK(cb.allow(t0));
  cb.record_failure(true, t0);
  cb.record_failure(true, t0);
  CHECK(cb.state(t0) == CircuitBreaker::State::closed);
  cb.record_failure(true, t0);
  CHECK(cb.state(t0) == CircuitBreaker::State::open);
  CHECK_FALSE(cb.allow(t0 + 500ms));
  // After the open period: one probe only.
  CHECK(cb.state(t0 + 1s) == CircuitBreaker::State::half_open);
  CHECK(cb.allow(t0 + 1s));
  CHECK_FALSE(cb.allow(t0 + 1s));
  // The probe fails: open for another full period.
  cb.record_failure(true, t0 + 1100ms);
  CHECK_FALSE(cb.allow(t0 + 1500ms));
  CHECK(cb.allow(t0 + 2200ms));
  cb.record_success();
  CHECK(cb.state(t0 + 2200ms) == CircuitBreaker::State::closed);
  CHECK(cb.allow(t0 + 2200ms));
}

TEST_CASE("circuit breaker: does not open when the global share forbids it") {
  CircuitBreaker cb(1, 1s);
  cb.record_failure(false);
  cb.record_failure(false);
  CHECK(cb.state() == CircuitBreaker::State::closed);
  cb.record_failure(true);
  CHECK(cb.state() == CircuitBreaker::State::open);
}

TEST_CASE("async semaphore: never more than the limit at once, everyone served") {
  asio::io_context ioc;
  AsyncSemaphore sem(3);
  std::atomic<int> now{0}, peak{0}, served{0};
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto permit = co_await sem.acquire();
          peak = std::max(peak.load(), ++now);
          asio::steady_timer t(ioc, 5ms);
          co_await t.async_wait(asio::use_awaitable);
          --now;
          ++served;
        },
        asio::detached);
  }
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
  CHECK(served == 20);
  CHECK(peak == 3);
  CHECK(sem.in_use() == 0);
  CHECK(sem.waiting() == 0);
}

// What a SIGHUP reload does to the limits of a booking system while calls wait and run.

TEST_CASE("async semaphore: a larger limit wakes waiters at once; a smaller one takes no place away") {
  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  AsyncSemaphore sem(1);
  std::vector<AsyncSemaphore::Permit> held;  // single-threaded: only poll() runs the coroutines
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto permit = co_await sem.acquire();
          held.push_back(std::move(permit));
        },
        asio::detached);
  }
  ioc.poll();
  CHECK(held.size() == 1);
  CHECK(sem.waiting() == 3);

  sem.set_limit(3);
  CHECK(sem.limit() == 3);
  ioc.poll();
  CHECK(held.size() == 3);
  CHECK(sem.in_use() == 3);
  CHECK(sem.waiting() == 1);

  // Down to 1: the three holders keep their places; the waiter gets one only when fewer than 1 remain
  // besides it, i.e. after two of them are given back and the third passes its place on.
  sem.set_limit(1);
  CHECK(sem.in_use() == 3);
  held[0].release();
  ioc.poll();
  CHECK(sem.in_use() == 2);
  CHECK(held.size() == 3);
  held[1].release();
  ioc.poll();
  CHECK(sem.in_use() == 1);
  CHECK(held.size() == 3);
  held[2].release();
  ioc.poll();
  CHECK(held.size() == 4);  // the last waiter holds the one place now
  CHECK(sem.in_use() == 1);
  CHECK(sem.waiting() == 0);
  held[3].release();
  CHECK(sem.in_use() == 0);
}

TEST_CASE("async semaphore: raising the limit under load lets more run at once, on several threads") {
  asio::io_context ioc;
  AsyncSemaphore sem(2);
  std::atomic<int> now{0}, peak_before{0}, peak_after{0}, served{0};
  std::atomic<bool> raised{false};
  for (int i = 0; i < 60; ++i) {
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
          auto permit = co_await sem.acquire();
          const int n = ++now;
          auto& peak = raised ? peak_after : peak_before;
          peak = std::max(peak.load(), n);
          asio::steady_timer t(ioc, 5ms);
          co_await t.async_wait(asio::use_awaitable);
          --now;
          if (++served == 20) {
            raised = true;
            sem.set_limit(6);
          }
        },
        asio::detached);
  }
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
  CHECK(served == 60);
  CHECK(peak_before <= 2);
  CHECK(peak_after <= 6);
  CHECK(peak_after > 2);  // 40 calls still waited when the limit went up: more than two ran together
  CHECK(sem.in_use() == 0);
}

TEST_CASE("token bucket: a lower rate holds from the next reservation; slots already given keep their time") {
  TokenBucket b(10.0, 1.0);
  const auto t0 = Clock::now();
  CHECK(b.reserve(t0) == Clock::duration::zero());
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(0.1));
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(0.2));
  // Two callers are queued until t0 + 0.2 s. At 1/s the next one comes a whole second after them.
  b.set_rate(1.0, 1.0, t0);
  CHECK(b.rate() == doctest::Approx(1.0));
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(1.2));
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(2.2));
  // Over a long run the new rate holds: 20 more calls take about 20 s.
  Clock::time_point last = t0;
  for (int i = 0; i < 20; ++i) last = t0 + b.reserve(t0);
  CHECK(std::chrono::duration<double>(last - t0).count() == doctest::Approx(22.2).epsilon(0.01));
}

TEST_CASE("token bucket: a higher rate shortens the queue after the slots already given") {
  TokenBucket b(1.0, 1.0);
  const auto t0 = Clock::now();
  CHECK(b.reserve(t0) == Clock::duration::zero());
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(1.0));
  b.set_rate(10.0, 1.0, t0);
  CHECK(std::chrono::duration<double>(b.reserve(t0)).count() == doctest::Approx(1.1));
  // Tokens accrue at the new rate: 2 s later one is there at once, the next 0.1 s after it.
  CHECK(b.reserve(t0 + 3s) == Clock::duration::zero());
  CHECK(std::chrono::duration<double>(b.reserve(t0 + 3s)).count() == doctest::Approx(0.1));
}

TEST_CASE("token bucket: a smaller burst drops the tokens above it; a larger one fills at the rate") {
  TokenBucket b(10.0, 10.0);
  const auto t0 = Clock::now();
  b.set_rate(10.0, 2.0, t0);
  CHECK(b.burst() == doctest::Approx(2.0));
  CHECK(b.reserve(t0) == Clock::duration::zero());
  CHECK(b.reserve(t0) == Clock::duration::zero());
  CHECK(b.reserve(t0) > Clock::duration::zero());
  b.set_rate(10.0, 5.0, t0);
  const auto later = t0 + 1s;  // enough to fill the larger bucket
  for (int i = 0; i < 5; ++i) CHECK(b.reserve(later) == Clock::duration::zero());
  CHECK(b.reserve(later) > Clock::duration::zero());
}

TEST_CASE("token bucket: a caller that cannot wait long enough takes no token") {
  TokenBucket b(1.0, 1.0);
  const auto t0 = Clock::now();
  CHECK(b.try_reserve(1s, t0) == Clock::duration::zero());
  CHECK_FALSE(b.try_reserve(500ms, t0).has_value());
  CHECK_FALSE(b.try_reserve(500ms, t0).has_value());
  // The refusals left nothing behind: the next patient caller waits one interval, not three.
  const auto wait = b.try_reserve(5s, t0);
  REQUIRE(wait.has_value());
  CHECK(std::chrono::duration<double>(*wait).count() == doctest::Approx(1.0));
}

TEST_CASE("circuit breaker: a new policy applies to the failures counted and to an open period under way") {
  const auto t0 = Clock::now();
  CircuitBreaker cb(5, 1h);
  cb.record_failure(true, t0);
  cb.record_failure(true, t0);
  cb.set_policy(2, 1s);
  CHECK(cb.failure_threshold() == 2);
  CHECK(cb.open_for() == 1s);
  // The change itself opens nothing (opening needs the share check); the next failure does.
  CHECK(cb.state(t0) == CircuitBreaker::State::closed);
  cb.record_failure(true, t0);
  CHECK(cb.state(t0) == CircuitBreaker::State::open);
  CHECK(cb.state(t0 + 1s) == CircuitBreaker::State::half_open);

  CircuitBreaker long_open(1, 1h);
  long_open.record_failure(true, t0);
  CHECK_FALSE(long_open.allow(t0 + 10s));
  long_open.set_policy(1, 5s);  // the open period is measured anew from when it opened
  CHECK(long_open.state(t0 + 10s) == CircuitBreaker::State::half_open);
  CHECK(long_open.allow(t0 + 10s));

  CircuitBreaker raised(2, 1s);
  raised.record_failure(true, t0);
  raised.set_policy(4, 1s);
  raised.record_failure(true, t0);
  raised.record_failure(true, t0);
  CHECK(raised.state(t0) == CircuitBreaker::State::closed);
  raised.record_failure(true, t0);
  CHECK(raised.state(t0) == CircuitBreaker::State::open);
}
