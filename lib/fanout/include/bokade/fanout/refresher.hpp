#pragma once
// Refresher: brings one person's slices up to date by asking each of their clinics' booking systems
// (GetSubjectOfCareSchedule through the VP, one call per distinct logical address), under strict load
// control: a global concurrency bound, per-booking-system concurrency and rate limits, retries only for
// retryable outcomes with exponential backoff and jitter, and a circuit breaker per booking system.
// Addresses TAK does not permit, and our own logical address, are never called.
// Each (person, address) result replaces that slice atomically; a failure keeps the old appointments
// and marks them out of sync.
// reconfigure() applies a reloaded configuration while refreshes run: each refresh works with the one
// configuration it started with; limits of booking systems change in place.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bokade/config/config.hpp"
#include "bokade/core/outcome.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/fanout/limits.hpp"
#include "bokade/net/http_client.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"
#include "bokade/tak/tak_source.hpp"

namespace bokade::fanout {

class RefreshMetrics;

inline constexpr std::string_view schedule_service_path = "/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21";
inline constexpr std::string_view other_booking_system = "other";

struct AddressResult {
  std::string logical_address;
  std::string booking_system;
  Outcome outcome = Outcome::ok;
  bool called = false;  // false: TAK forbids it, the breaker was open, or the deadline left no room
  unsigned attempts = 0;
  std::size_t appointments = 0;
  std::string error_code;
  std::string error_text;
};

struct RefreshResult {
  std::string correlation_id;
  std::vector<AddressResult> addresses;
};

class Refresher {
 public:
  Refresher(boost::asio::any_io_executor executor, std::shared_ptr<net::HttpClient> client, tak::TakSource* tak,
            store::Store& store, store::WriteQueue& queue, const config::Config& config, RefreshMetrics* metrics);
  ~Refresher();

  // Asks every address in `addresses` (logical addresses; duplicates and our own address are dropped).
  // Returns when every call has ended or the refresh deadline passed.
  boost::asio::awaitable<RefreshResult> refresh(PersonId person, std::vector<std::string> addresses);

  // The booking system an address belongs to: from the person's engagements there (sourceSystem), else
  // from what any engagement at that address said (learn()), mapped through the configured booking
  // systems; "other" when unknown.
  [[nodiscard]] std::string booking_system_for(const PersonId& person, std::string_view logical_address) const;
  // The same, from the person's engagements already read (saves reading them once per address).
  [[nodiscard]] std::string booking_system_for(const std::vector<ei::StoredEngagement>& engagements,
                                               std::string_view logical_address) const;
  // Remembers the sourceSystem engagements at `logical_address` name, for addresses a person reaches
  // only through a relation. Thread-safe.
  void learn(std::string_view logical_address, std::string_view source_system);
  // Learns from every stored engagement (at start-up; reads the whole engagements column family).
  Status learn_from_store();

  // Applies a reloaded configuration (SIGHUP); thread-safe, calls under way are not disturbed. Takes
  // effect for refreshes that start afterwards: refresh.retries, backoff_*, breaker_* (policy of every
  // breaker), vp.url, direct_routing, call_timeout, refresh_deadline, and the booking systems: limits of
  // existing ones change in place (concurrency, rate, burst), a new one gets its limits and metric series,
  // one no longer listed keeps its state but no address maps to it; the sourceSystem → booking system
  // mapping follows the new list. refresh.max_concurrency stays as started (restart-only).
  void reconfigure(const config::Config& config);

  struct SourceState {
    std::string booking_system;
    CircuitBreaker::State breaker;
    std::size_t in_flight;
    std::size_t waiting;
    // The limits in force (after any reload).
    std::size_t max_concurrency;
    double rate_per_second;
    double burst;
    std::uint32_t breaker_failures;
    Clock::duration breaker_open_for;
  };
  // Every booking system configured now and "other"; one removed by a reload only while calls it took
  // are still under way.
  [[nodiscard]] std::vector<SourceState> sources() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::fanout
