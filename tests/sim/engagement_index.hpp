#pragma once
// The simulated engagement index: FindContent answers from the ledger, and ProcessNotification
// batches are pushed to a subscriber (the daemon) at a set rate and size, with the real index's
// habits on demand — duplicates, reordering, deletes of keys never created, unchanged rows relayed —
// and redelivery after a delay when the subscriber faults or times out.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "bokade/net/http_client.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "faults.hpp"
#include "ledger.hpp"

namespace bokade::sim {

// Engagements of the person that pass the request's filters (none for other service domains).
std::vector<Engagement> find_content(const Ledger& ledger, const rivta::FindContentRequest& request);

struct PushHabits {
  double duplicates = 0.0;       // per transaction: sent twice
  double reorder = 0.0;          // per batch: shuffled, and one transaction held back to the next batch
  double phantom_deletes = 0.0;  // per batch: a delete of a key that never existed
  double unchanged = 0.0;        // per batch: an existing engagement relayed again, unchanged
};

struct PushSettings {
  std::string subscriber_url;  // empty = no push
  std::string logical_address = "5565594230";
  std::string sender_hsa_id = "SE5565594230-EI";
  double batches_per_second = 5.0;
  std::size_t batch_size = 1000;
  Micros redeliver_delay{2'000'000};
  Micros timeout{10'000'000};
  PushHabits habits;
};

struct PushStats {
  std::uint64_t batches_sent = 0;
  std::uint64_t batches_acknowledged = 0;
  std::uint64_t batches_failed = 0;
  std::uint64_t transactions_sent = 0;
  std::uint64_t transactions_acknowledged = 0;
  std::uint64_t redeliveries = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t phantom_deletes = 0;
  std::uint64_t unchanged = 0;
  std::size_t queued = 0;            // transactions waiting
  std::size_t awaiting_redelivery = 0;  // batches waiting for their redelivery time
  std::size_t replay_remaining = 0;  // persons still to replay
  std::string last_error;
};

class EngagementPush {
 public:
  EngagementPush(boost::asio::io_context& ioc, const Ledger& ledger, PushSettings settings);
  ~EngagementPush();
  // Starts the delivery loop (when a subscriber is set).
  Status start();
  void stop();

  void enqueue(rivta::EngagementTransaction transaction);
  // Queues every indexed engagement of every person (generated person by person while sending).
  std::size_t replay();
  void set_habits(const PushHabits& habits);
  [[nodiscard]] PushSettings settings() const;
  [[nodiscard]] PushStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::sim
