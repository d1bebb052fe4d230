#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <thread>

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
