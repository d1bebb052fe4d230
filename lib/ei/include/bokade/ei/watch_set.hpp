#pragma once
// WatchSet: the persons bokade keeps polling the engagement index for (FindContent), and when.
//
// A person joins when they query, are named in a notification, or are imported; each of these extends
// their watch to now + expiry. Two column families hold it (ARCHITECTURE.md §4):
// - `persons`: person → PersonRecord (last query, last poll, watch expiry, next due), a versioned binary value;
// - `schedule`: due time · person → "" — a scan from the start yields who is due first.
// A person is *scheduled* (counted in the watch set) while their record says so and a schedule entry
// exists; the count is kept in `meta` in the same batches, so reading it costs one get.
// Every change goes through the WriteQueue as a job, so changes never race each other or notifications.
//
// Expiry: a due person whose watch has expired is taken off the schedule (not polled again) but their
// record stays, so that retention can find them with expired() and delete their data with
// add_expired_person_deletions().
//
// reconfigure() changes interval, jitter and expiry while in use (a SIGHUP reload): the new values apply
// to the next scheduling decision (next poll, retry, first poll, watch extension); persons already
// scheduled keep their due time, and watches already extended keep their expiry.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/store/keys.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"

namespace bokade::ei {

enum class WatchReason : std::uint8_t { queried = 1, notified = 2, imported = 4 };
std::string_view to_string(WatchReason r) noexcept;

struct PersonRecord {
  std::optional<UtcTime> last_query;
  std::optional<UtcTime> last_poll;
  UtcTime watch_expiry{};
  bool scheduled = false;
  UtcTime next_due{};         // meaningful when scheduled: the key of the person's schedule entry
  std::uint8_t reasons = 0;   // every WatchReason seen, or-ed
  friend bool operator==(const PersonRecord&, const PersonRecord&) = default;
};

std::string encode_person_record(const PersonRecord& record);
// Fails for a value of another version or size: it is reported, never guessed at.
Expected<PersonRecord> decode_person_record(std::string_view bytes);

struct WatchOptions {
  std::chrono::seconds expiry{std::chrono::days(30)};  // a watch lasts this long after its last extension
  std::chrono::seconds interval{std::chrono::hours(6)};  // between two polls of one person
  double jitter = 0.1;                                  // ± share of interval, 0..1
  std::chrono::seconds first_poll_within{60};            // a queried or imported person's first poll: uniformly
                                                        // in [now, now + this]; a notified one's: one interval on
};

// The meta key holding the number of scheduled persons (8-byte big-endian).
inline constexpr std::string_view watch_set_size_key = "watch_set_persons";

class WatchSet {
 public:
  WatchSet(store::Store& store, store::WriteQueue& queue, WatchOptions options);

  // Adds the person or extends their watch to now + expiry. A person not yet scheduled gets a first
  // poll soon (jittered); one already scheduled keeps their due time.
  [[nodiscard]] store::WriteQueue::Job watch_job(const PersonId& person, WatchReason reason, UtcTime now);
  boost::asio::awaitable<Status> watch(const PersonId& person, WatchReason reason, UtcTime now);

  // Up to `limit` schedule entries due at or before `now`, earliest first.
  [[nodiscard]] Expected<std::vector<store::ScheduleEntry>> due(UtcTime now, std::size_t limit) const;

  // Moves the person's schedule entry to `next_due` and records `polled_at` (if given) as the last
  // poll: old key deleted, new key put, record updated — one batch. A person no longer scheduled
  // (expired or purged meanwhile) is left alone; a stray entry at `old_due` is removed.
  [[nodiscard]] store::WriteQueue::Job reschedule_job(const PersonId& person, UtcTime old_due, UtcTime next_due,
                                                      std::optional<UtcTime> polled_at) const;
  boost::asio::awaitable<Status> reschedule(const PersonId& person, UtcTime old_due, UtcTime next_due,
                                            std::optional<UtcTime> polled_at = std::nullopt);

  // Takes the person off the schedule when their watch has expired by `now` (re-checked in the job, so a
  // concurrent watch() wins); the record stays for retention. Also removes a stray schedule entry at
  // `old_due`: one without a record, of a person not scheduled, or not the record's due time.
  [[nodiscard]] store::WriteQueue::Job unschedule_expired_job(const PersonId& person, UtcTime old_due,
                                                              UtcTime now) const;

  [[nodiscard]] Expected<std::optional<PersonRecord>> record(const PersonId& person) const;
  // Scheduled persons.
  [[nodiscard]] Expected<std::uint64_t> size() const;
  // The earliest due time in the schedule, if any.
  [[nodiscard]] Expected<std::optional<UtcTime>> oldest_due() const;

  // now + interval ± jitter (at least one second later).
  [[nodiscard]] UtcTime next_poll(UtcTime now);
  // now + `delay` ± jitter: the retry after a failed poll.
  [[nodiscard]] UtcTime retry_at(UtcTime now, std::chrono::seconds delay);

  // Up to `limit` persons (canonical ids) whose watch expired by `now`, scheduled or not. Walks the
  // persons column family one 4-digit id prefix (birth year) at a time, so memory stays bounded.
  [[nodiscard]] Expected<std::vector<std::string>> expired(UtcTime now, std::size_t limit) const;

  // The options in force (a copy: a reload may change them at any time).
  [[nodiscard]] WatchOptions options() const;
  // New options for every scheduling decision from now on; thread-safe. jitter is clamped to 0..1.
  void reconfigure(WatchOptions options);

 private:
  UtcTime jittered(UtcTime now, std::chrono::seconds base, double low, double high);

  store::Store& store_;
  store::WriteQueue& queue_;
  mutable std::mutex mutex_;  // guards options_ and rng_
  WatchOptions options_;
  std::mt19937_64 rng_;
};

// Adds to `batch` the deletion of everything kept about a person whose watch expired by `now`: the
// persons record, the schedule entry (and the watch-set count), slices and engagements (tombstones
// included). Relations, which are imported legacy data, are kept. Reads through `batch`; returns false
// and adds nothing when the person has no record or a watch() extended it meanwhile. For retention:
// submit it as a WriteQueue job per person listed by WatchSet::expired().
Expected<bool> add_expired_person_deletions(const store::Store& store, store::Batch& batch, const PersonId& person,
                                            UtcTime now);

}  // namespace bokade::ei
