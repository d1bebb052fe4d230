#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "bokade/store/write_queue.hpp"
#include "process.hpp"

using namespace bokade;
using bokade::test::TempDir;

TEST_CASE("concurrent jobs are committed in groups, each told only after its group is durable") {
  TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 10'000);
  constexpr int threads = 8, per_thread = 40;
  std::atomic<int> done{0};
  std::atomic<int> visible_when_done{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const auto key = "k" + std::to_string(t) + "-" + std::to_string(i);
        std::promise<void> p;
        REQUIRE(q.submit(
            [key](const store::Store&, store::Batch& b) -> Status {
              b.put(store::Column::engagements, key, "v");
              return {};
            },
            [&, key](Status st) {
              CHECK(st);
              if (s->get(store::Column::engagements, key)->has_value()) ++visible_when_done;
              ++done;
              p.set_value();
            }));
        p.get_future().wait();
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(done == threads * per_thread);
  CHECK(visible_when_done == threads * per_thread);
  const auto st = q.stats();
  CHECK(st.jobs == threads * per_thread);
  CHECK(st.groups <= st.jobs);
  MESSAGE("group commit: " << st.jobs << " jobs in " << st.groups << " synced writes");
}

TEST_CASE("a failing job leaves no trace; the rest of its group is written") {
  TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  std::promise<void> all;
  std::atomic<int> remaining{3};
  std::vector<Status> results(3);
  {
    store::WriteQueue q(*s, 100);
    // Hold the writer busy so the three jobs land in one group.
    std::promise<void> release;
    auto gate = release.get_future().share();
    q.submit([gate](const store::Store&, store::Batch&) -> Status { gate.wait(); return {}; }, nullptr);
    for (int i = 0; i < 3; ++i) {
      q.submit(
          [i](const store::Store& st, store::Batch& b) -> Status {
            b.put(store::Column::meta, "job" + std::to_string(i), "x");
            if (i == 1) return fail("job 1 refuses");
            // Job 2 sees job 0's write through the group batch.
            if (i == 2 && !st.get(store::Column::meta, "job0", b)->has_value()) return fail("job 0 not visible");
            return {};
          },
          [&, i](Status st) {
            results[static_cast<std::size_t>(i)] = st;
            if (--remaining == 0) all.set_value();
          });
    }
    release.set_value();
    all.get_future().wait();
  }
  CHECK(results[0]);
  REQUIRE_FALSE(results[1]);
  CHECK(results[1].error().message == "job 1 refuses");
  CHECK(results[2]);
  CHECK(s->get(store::Column::meta, "job0")->has_value());
  CHECK_FALSE(s->get(store::Column::meta, "job1")->has_value());
  CHECK(s->get(store::Column::meta, "job2")->has_value());
}

TEST_CASE("over max_pending, submit refuses at once") {
  TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  REQUIRE(q.submit([&, gate](const store::Store&, store::Batch&) -> Status {
    started.set_value();
    gate.wait();
    return {};
  }, nullptr));
  started.get_future().wait();
  CHECK(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  CHECK(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  CHECK_FALSE(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  CHECK(q.stats().refused == 1);
  // An internal writer (a refresh result) is never refused: it would lose what it fetched.
  std::promise<void> written;
  CHECK(q.submit(
      [](const store::Store&, store::Batch& b) -> Status {
        b.put(store::Column::slices, "kept", "x");
        return {};
      },
      [&](Status st) {
        CHECK(st);
        written.set_value();
      },
      store::WriteQueue::Admission::always));
  // Internal jobs do not count against the cap: once the refusable ones are taken, there is room again,
  // however many internal jobs wait.
  for (int i = 0; i < 5; ++i) {
    CHECK(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr,
                   store::WriteQueue::Admission::always));
  }
  CHECK_FALSE(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  release.set_value();
  written.get_future().wait();
  CHECK(s->get(store::Column::slices, "kept")->has_value());
}

TEST_CASE("internal writes waiting do not crowd out the index's notifications") {
  TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 1);
  std::promise<void> release, started;
  auto gate = release.get_future().share();
  REQUIRE(q.submit(
      [&, gate](const store::Store&, store::Batch&) -> Status {
        started.set_value();
        gate.wait();
        return {};
      },
      nullptr, store::WriteQueue::Admission::always));
  started.get_future().wait();
  for (int i = 0; i < 50; ++i) {
    REQUIRE(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr,
                     store::WriteQueue::Admission::always));
  }
  // 50 refresh results wait; a notification still gets its place (the cap is 1).
  CHECK(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  CHECK_FALSE(q.submit([](const store::Store&, store::Batch&) -> Status { return {}; }, nullptr));
  release.set_value();
}
