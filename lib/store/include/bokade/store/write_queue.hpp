#pragma once
// WriteQueue: group commit. Jobs submitted from any thread are taken by one writer thread in groups;
// each job reads what it needs and adds its writes to the group's batch; the batch is written once,
// synced, and only then is every job of the group told the outcome. Durable writes from many
// concurrent requests so cost one fsync, and the jobs of a column family never race each other.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "bokade/core/expected.hpp"
#include "bokade/store/store.hpp"

namespace bokade::store {

class WriteQueue {
 public:
  // Reads through `store.get(c, key, batch)` see the writes of earlier jobs of the same group.
  // A job that returns an error adds nothing: its writes are dropped and it is told that error.
  using Job = std::function<Status(const Store& store, Batch& batch)>;
  // Called on the writer thread once the group is durable (or failed to write).
  using Done = std::function<void(Status)>;

  struct Stats {
    std::uint64_t jobs = 0;
    std::uint64_t groups = 0;    // synced writes
    std::uint64_t refused = 0;   // submit() over max_pending
    std::uint64_t failed = 0;    // jobs told of a failure
  };

  WriteQueue(Store& store, std::size_t max_pending);
  ~WriteQueue();  // finishes what is queued, then stops
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Whether a job may be refused when max_pending jobs are waiting. External traffic (a notification
  // from the index) may: the index delivers it again. Internal writers (a refresh's result, an import)
  // are bounded by their own concurrency and must not lose what they fetched, so they always queue.
  enum class Admission : unsigned char { may_refuse, always };

  // False (and `done` is not called) when the job may be refused and max_pending refusable jobs are
  // waiting. Jobs that always queue do not count against max_pending, so internal writes never crowd
  // out the index's notifications.
  bool submit(Job job, Done done, Admission admission = Admission::may_refuse);
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] std::size_t pending() const;

 private:
  void run();
  struct Item {
    Job job;
    Done done;
    Admission admission;
  };
  Store& store_;
  const std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  std::size_t refusable_waiting_ = 0;  // jobs in queue_ that counted against max_pending_
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace bokade::store
