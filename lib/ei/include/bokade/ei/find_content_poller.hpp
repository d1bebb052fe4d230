#pragma once
// FindContentPoller: asks the engagement index (FindContent) about every watched person when they are
// due, makes the stored engagements equal the answer, and asks for a refresh of the person's clinics.
//
// - Every tick it takes a bounded batch of due persons from the schedule, earliest first, and polls
//   them with a fixed number of worker coroutines.
// - Every FindContent call waits for its slot under one global calls-per-second cap (no burst beyond
//   one call), so catching up after downtime — many persons overdue — runs at the cap, never above it,
//   and the persons polled in catch-up come due again spread out by the same pace plus jitter.
// - The answer is the full truth for that person and service domain: engagements missing from the
//   store are created (apply_transactions, idempotent); stored ones absent from the answer are deleted
//   (a tombstone), unless they were stored after the call was made (a notification won the race).
//   That and the next due time are one WriteBatch.
// - Then the refresh callback gets the person and all their clinics: the logical addresses of their
//   live engagements plus those whose engagements this poll removed (normalised).
// - A failed call, or a refused refresh, brings the person back after `retry_after` (jittered) instead
//   of the full interval. A due person whose watch expired is taken off the schedule, not polled.
//
// The executor may be run by several threads: the poller's coroutines share a strand.
// reconfigure() swaps the options while the poller runs (a SIGHUP reload): polls and lookups already
// under way finish with the options they started with; the calls/s cap applies from the next call.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "bokade/core/engagement.hpp"
#include "bokade/core/outcome.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/net/http_client.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
}  // namespace prometheus

namespace bokade::ei {

inline constexpr std::string_view find_content_soap_action =
    "urn:riv:itintegration:engagementindex:FindContentResponder:1:FindContent";

struct PollerOptions {
  std::string find_content_url;             // config engagement_index.find_content_url (VP or the EI itself)
  std::string ei_logical_address;           // config engagement_index.logical_address (LogicalAddress header)
  std::string consumer_hsa_id;              // config identity.hsa_id (x-rivta-original-serviceconsumer-hsaid)
  // Each is one FindContent call per poll. riv:supportprocess:logistics:scheduling may be added; it
  // doubles the calls.
  std::vector<std::string> service_domains{std::string(service_domain_crm_scheduling)};
  double max_calls_per_second = 20.0;       // config engagement_index.max_calls_per_second
  std::size_t concurrency = 8;              // calls in flight at most
  std::size_t batch_size = 256;             // due persons taken per tick
  std::chrono::milliseconds tick{1000};     // how often the schedule is looked at when nothing is due
  std::chrono::milliseconds call_timeout{10'000};
  std::chrono::seconds retry_after{300};    // next poll after a failed call or a refused refresh
};

class PollerMetrics;

class FindContentPoller {
 public:
  // `person` canonical; `addresses` normalised logical addresses. Returns false when the refresh was
  // refused (queue full): the person is then polled again after retry_after.
  using RefreshCallback = std::function<bool(const std::string& person, const std::set<std::string>& addresses)>;

  // Everything passed by reference must outlive the poller and the executor's last run.
  FindContentPoller(boost::asio::any_io_executor executor, std::shared_ptr<net::HttpClient> client,
                    store::Store& store, store::WriteQueue& queue, WatchSet& watch_set, PollerOptions options,
                    PollerMetrics* metrics, RefreshCallback refresh);
  ~FindContentPoller();  // stops
  FindContentPoller(const FindContentPoller&) = delete;
  FindContentPoller& operator=(const FindContentPoller&) = delete;

  void start();
  // Takes no new persons; calls in flight end with their timeout, then the loop returns.
  void stop();
  // Asks the index about one person now and stores the answer as a poll would (engagements created and
  // deleted), without touching the schedule or asking for a refresh: for a first query about someone
  // bokade knows nothing of. Keeps to the calls-per-second cap. Fails when a call fails.
  boost::asio::awaitable<Status> lookup(PersonId person);
  // True from start() until the loop has returned after stop(), with every poll's writes done. Wait for
  // false before the executor stops or the WriteQueue goes away.
  [[nodiscard]] bool running() const noexcept;

  // New options from now on (thread-safe): find_content_url, ei_logical_address, consumer_hsa_id and
  // max_calls_per_second are what a configuration reload changes; the others are taken as given too.
  void reconfigure(PollerOptions options);
  // The options in force.
  [[nodiscard]] PollerOptions options() const;

  struct Stats {
    std::array<std::uint64_t, all_outcomes.size()> calls{};  // FindContent calls by Outcome
    std::uint64_t persons_polled = 0;   // polls whose answers were all stored
    std::uint64_t persons_failed = 0;   // polls with a failed call or a storage error
    std::uint64_t expired = 0;          // taken off the schedule because their watch expired
    std::uint64_t engagements_created = 0;
    std::uint64_t engagements_deleted = 0;
    std::uint64_t refreshes_requested = 0;
    std::uint64_t refreshes_refused = 0;
    std::uint64_t store_errors = 0;
    std::uint64_t watch_set_persons = 0;   // as of the last tick
    double schedule_lag_seconds = 0;       // now − oldest due, 0 when nothing is overdue (last tick)
    [[nodiscard]] std::uint64_t calls_with(Outcome o) const { return calls[static_cast<std::size_t>(o)]; }
    [[nodiscard]] std::uint64_t calls_total() const;
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Prometheus families of the poller, built once; every outcome label is present from the start.
class PollerMetrics {
 public:
  explicit PollerMetrics(prometheus::Registry& registry);
  void call(Outcome o);
  void watch_set_persons(std::uint64_t n);
  void schedule_lag(double seconds);

 private:
  std::array<prometheus::Counter*, all_outcomes.size()> calls_{};
  prometheus::Gauge* persons_;
  prometheus::Gauge* lag_;
};

}  // namespace bokade::ei
