#pragma once
// RefreshQueue: persons waiting for a refresh, served by a fixed pool of worker coroutines.
// Changes to one person coalesce: while a person waits, new addresses join the same entry, so a burst
// of notifications about one person costs one refresh. The queue is bounded; past the bound enqueue()
// says no and the caller (the poller) will come back to that person.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bokade/fanout/refresher.hpp"

namespace bokade::fanout {

class RefreshQueue {
 public:
  RefreshQueue(boost::asio::any_io_executor executor, Refresher& refresher, std::size_t workers,
               std::size_t max_persons);
  ~RefreshQueue();

  // `person` in canonical form; `addresses` normalised logical addresses.
  bool enqueue(const std::string& person, const std::set<std::string>& addresses);
  void start();
  void stop();

  struct Stats {
    std::size_t waiting = 0;
    std::size_t running = 0;
    std::uint64_t done = 0;
    std::uint64_t refused = 0;
    std::uint64_t coalesced = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::fanout
