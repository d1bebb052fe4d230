#include "bokade/store/write_queue.hpp"

namespace bokade::store {

WriteQueue::WriteQueue(Store& store, std::size_t max_pending)
    : store_(store), max_pending_(max_pending), thread_([this] { run(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool WriteQueue::submit(Job job, Done done, Admission admission) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || (admission == Admission::may_refuse && refusable_waiting_ >= max_pending_)) {
      ++stats_.refused;
      return false;
    }
    if (admission == Admission::may_refuse) ++refusable_waiting_;
    queue_.push_back({std::move(job), std::move(done), admission});
  }
  cv_.notify_one();
  return true;
}

WriteQueue::Stats WriteQueue::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t WriteQueue::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WriteQueue::run() {
  for (;;) {
    std::deque<Item> group;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
      refusable_waiting_ = 0;
    }
    Batch batch;
    std::vector<Status> results;
    results.reserve(group.size());
    for (auto& item : group) {
      // Each job writes into its own batch, which reads through the group's; a failing job leaves no trace.
      Batch own(&batch);
      Status st = item.job(store_, own);
      // Done with the job: what it holds (a notification's thousand parsed rows) is usually also held by
      // its submitter, who waits for the answer and then frees it on its own thread, not this serial one.
      item.job = nullptr;
      if (st) batch.append(std::move(own));
      results.push_back(std::move(st));
    }
    Status written = batch.count() > 0 ? store_.write(batch) : Status{};
    std::uint64_t failed = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (!written || !results[i]) ++failed;
    }
    {
      // Counted before anyone is told, so a caller that has its answer sees it counted.
      std::lock_guard lock(mutex_);
      stats_.jobs += group.size();
      stats_.groups += batch.count() > 0 ? 1 : 0;
      stats_.failed += failed;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (group[i].done) group[i].done(!written ? written : std::move(results[i]));
    }
  }
}

}  // namespace bokade::store
