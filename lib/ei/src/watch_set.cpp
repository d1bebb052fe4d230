#include "bokade/ei/watch_set.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "bokade/store/async_commit.hpp"

namespace bokade::ei {
namespace asio = boost::asio;
using store::Column;

namespace {

constexpr unsigned char record_version = 1;
constexpr std::size_t record_size = 3 + 4 * 8;
constexpr unsigned char has_last_query = 1;
constexpr unsigned char has_last_poll = 2;
constexpr unsigned char is_scheduled = 4;

void append_time(std::string& out, UtcTime t) {
  store::append_u64(out, static_cast<std::uint64_t>(t.time_since_epoch().count()));
}
UtcTime read_time(std::string_view bytes) {
  return UtcTime{std::chrono::seconds{static_cast<std::int64_t>(store::read_u64(bytes))}};
}

Expected<std::optional<PersonRecord>> read_record(const store::Store& s, const store::Batch& batch,
                                                  const std::string& key) {
  auto value = s.get(Column::persons, key, batch);
  if (!value) return Unexpected<Error>{value.error()};
  if (!*value) return std::optional<PersonRecord>{};
  auto record = decode_person_record(**value);
  if (!record) return Unexpected<Error>{record.error()};
  return std::optional<PersonRecord>{*record};
}

// Adds `delta` to the scheduled-persons count, reading through `batch` so jobs of one group compose.
Status adjust_count(const store::Store& s, store::Batch& batch, int delta) {
  auto value = s.get(Column::meta, watch_set_size_key, batch);
  if (!value) return Unexpected<Error>{value.error()};
  std::uint64_t n = *value && (*value)->size() == 8 ? store::read_u64(**value) : 0;
  n = delta < 0 ? (n > 0 ? n - 1 : 0) : n + static_cast<std::uint64_t>(delta);
  std::string out;
  store::append_u64(out, n);
  batch.put(Column::meta, watch_set_size_key, out);
  return {};
}

}  // namespace

std::string_view to_string(WatchReason r) noexcept {
  switch (r) {
    case WatchReason::queried: return "queried";
    case WatchReason::notified: return "notified";
    case WatchReason::imported: return "imported";
  }
  return "unknown";
}

std::string encode_person_record(const PersonRecord& r) {
  std::string out;
  out.reserve(record_size);
  out += static_cast<char>(record_version);
  unsigned char flags = 0;
  if (r.last_query) flags |= has_last_query;
  if (r.last_poll) flags |= has_last_poll;
  if (r.scheduled) flags |= is_scheduled;
  out += static_cast<char>(flags);
  out += static_cast<char>(r.reasons);
  append_time(out, r.last_query.value_or(UtcTime{}));
  append_time(out, r.last_poll.value_or(UtcTime{}));
  append_time(out, r.watch_expiry);
  append_time(out, r.scheduled ? r.next_due : UtcTime{});
  return out;
}

Expected<PersonRecord> decode_person_record(std::string_view bytes) {
  if (bytes.empty()) return fail("persons record: empty value");
  const auto version = static_cast<unsigned char>(bytes[0]);
  if (version != record_version) {
    return fail(fmt::format("persons record: version {} is not readable by this build (it reads {})", version,
                            record_version));
  }
  if (bytes.size() != record_size) {
    return fail(fmt::format("persons record: {} bytes, expected {}", bytes.size(), record_size));
  }
  const auto flags = static_cast<unsigned char>(bytes[1]);
  PersonRecord r;
  r.reasons = static_cast<std::uint8_t>(bytes[2]);
  if (flags & has_last_query) r.last_query = read_time(bytes.substr(3));
  if (flags & has_last_poll) r.last_poll = read_time(bytes.substr(11));
  r.watch_expiry = read_time(bytes.substr(19));
  r.scheduled = (flags & is_scheduled) != 0;
  if (r.scheduled) r.next_due = read_time(bytes.substr(27));
  return r;
}

namespace {
WatchOptions clamped(WatchOptions o) {
  o.jitter = std::clamp(o.jitter, 0.0, 1.0);
  return o;
}
}  // namespace

WatchSet::WatchSet(store::Store& store, store::WriteQueue& queue, WatchOptions options)
    : store_(store), queue_(queue), options_(clamped(options)), rng_(std::random_device{}()) {}

WatchOptions WatchSet::options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

void WatchSet::reconfigure(WatchOptions options) {
  std::lock_guard lock(mutex_);
  options_ = clamped(options);
}

UtcTime WatchSet::jittered(UtcTime now, std::chrono::seconds base, double low, double high) {
  double factor = 1.0;
  {
    std::lock_guard lock(mutex_);
    factor = std::uniform_real_distribution<double>(low, high)(rng_);
  }
  const auto secs = static_cast<std::int64_t>(std::llround(static_cast<double>(base.count()) * factor));
  return now + std::chrono::seconds{secs};
}

UtcTime WatchSet::next_poll(UtcTime now) {
  const auto o = options();
  return std::max(now + std::chrono::seconds{1}, jittered(now, o.interval, 1.0 - o.jitter, 1.0 + o.jitter));
}

UtcTime WatchSet::retry_at(UtcTime now, std::chrono::seconds delay) {
  const auto o = options();
  return std::max(now + std::chrono::seconds{1}, jittered(now, delay, 1.0 - o.jitter, 1.0 + o.jitter));
}

store::WriteQueue::Job WatchSet::watch_job(const PersonId& person, WatchReason reason, UtcTime now) {
  // A notified person was just refreshed because of the notification: their first poll comes one
  // interval later. A queried or imported person is polled soon, to learn their engagements.
  const auto o = options();
  const auto first_due =
      reason == WatchReason::notified ? next_poll(now) : jittered(now, o.first_poll_within, 0.0, 1.0);
  const auto expiry = now + o.expiry;
  return [person, reason, now, first_due, expiry](const store::Store& s, store::Batch& batch) -> Status {
    const auto key = store::person_key(person);
    auto value = s.get(Column::persons, key, batch);
    if (!value) return Unexpected<Error>{value.error()};
    PersonRecord r;
    if (*value) {
      // An unreadable record is replaced: the watch is what the caller asks for now.
      if (auto decoded = decode_person_record(**value)) r = *decoded;
    }
    r.watch_expiry = std::max(r.watch_expiry, expiry);
    r.reasons = static_cast<std::uint8_t>(r.reasons | static_cast<std::uint8_t>(reason));
    if (reason == WatchReason::queried) r.last_query = now;
    if (!r.scheduled) {
      r.scheduled = true;
      r.next_due = first_due;
      batch.put(Column::schedule, store::schedule_key(first_due, person), "");
      if (auto st = adjust_count(s, batch, +1); !st) return st;
    }
    batch.put(Column::persons, key, encode_person_record(r));
    return {};
  };
}

asio::awaitable<Status> WatchSet::watch(const PersonId& person, WatchReason reason, UtcTime now) {
  // GCC 12 mishandles non-trivial temporaries inside a co_await expression: build the job first.
  auto job = watch_job(person, reason, now);
  auto [status, accepted] = co_await store::async_commit(queue_, std::move(job), asio::use_awaitable);
  if (!accepted) co_return fail("the write queue is full");
  co_return status;
}

Expected<std::vector<store::ScheduleEntry>> WatchSet::due(UtcTime now, std::size_t limit) const {
  std::vector<store::ScheduleEntry> out;
  if (limit == 0) return out;
  auto rows = store_.scan_prefix(Column::schedule, "", limit);
  if (!rows) return Unexpected<Error>{rows.error()};
  for (const auto& [k, v] : *rows) {
    auto entry = store::parse_schedule_key(k);
    if (!entry) continue;
    if (entry->due > now) break;
    out.push_back(std::move(*entry));
  }
  return out;
}

store::WriteQueue::Job WatchSet::reschedule_job(const PersonId& person, UtcTime old_due, UtcTime next_due,
                                                std::optional<UtcTime> polled_at) const {
  return [person, old_due, next_due, polled_at](const store::Store& s, store::Batch& batch) -> Status {
    const auto key = store::person_key(person);
    auto existing = read_record(s, batch, key);
    if (!existing) return Unexpected<Error>{existing.error()};
    if (!*existing || !(*existing)->scheduled) {
      batch.erase(Column::schedule, store::schedule_key(old_due, person));
      return {};
    }
    PersonRecord r = **existing;
    batch.erase(Column::schedule, store::schedule_key(r.next_due, person));
    if (r.next_due != old_due) batch.erase(Column::schedule, store::schedule_key(old_due, person));
    r.next_due = next_due;
    if (polled_at) r.last_poll = polled_at;
    batch.put(Column::schedule, store::schedule_key(next_due, person), "");
    batch.put(Column::persons, key, encode_person_record(r));
    return {};
  };
}

asio::awaitable<Status> WatchSet::reschedule(const PersonId& person, UtcTime old_due, UtcTime next_due,
                                             std::optional<UtcTime> polled_at) {
  auto job = reschedule_job(person, old_due, next_due, polled_at);
  auto [status, accepted] = co_await store::async_commit(queue_, std::move(job), asio::use_awaitable);
  if (!accepted) co_return fail("the write queue is full");
  co_return status;
}

store::WriteQueue::Job WatchSet::unschedule_expired_job(const PersonId& person, UtcTime old_due, UtcTime now) const {
  return [person, old_due, now](const store::Store& s, store::Batch& batch) -> Status {
    const auto key = store::person_key(person);
    auto existing = read_record(s, batch, key);
    if (!existing) return Unexpected<Error>{existing.error()};
    if (!*existing) {
      batch.erase(Column::schedule, store::schedule_key(old_due, person));
      return {};
    }
    PersonRecord r = **existing;
    if (!r.scheduled || (r.watch_expiry > now && r.next_due != old_due)) {
      batch.erase(Column::schedule, store::schedule_key(old_due, person));  // a stray entry
      return {};
    }
    if (r.watch_expiry > now) return {};
    batch.erase(Column::schedule, store::schedule_key(r.next_due, person));
    if (r.next_due != old_due) batch.erase(Column::schedule, store::schedule_key(old_due, person));
    r.scheduled = false;
    r.next_due = UtcTime{};
    batch.put(Column::persons, key, encode_person_record(r));
    return adjust_count(s, batch, -1);
  };
}

Expected<std::optional<PersonRecord>> WatchSet::record(const PersonId& person) const {
  store::Batch empty;
  return read_record(store_, empty, store::person_key(person));
}

Expected<std::uint64_t> WatchSet::size() const {
  auto value = store_.get(Column::meta, watch_set_size_key);
  if (!value) return Unexpected<Error>{value.error()};
  return *value && (*value)->size() == 8 ? store::read_u64(**value) : std::uint64_t{0};
}

Expected<std::optional<UtcTime>> WatchSet::oldest_due() const {
  auto rows = store_.scan_prefix(Column::schedule, "", 1);
  if (!rows) return Unexpected<Error>{rows.error()};
  if (rows->empty()) return std::optional<UtcTime>{};
  auto entry = store::parse_schedule_key(rows->front().first);
  if (!entry) return std::optional<UtcTime>{};
  return std::optional<UtcTime>{entry->due};
}

Expected<std::vector<std::string>> WatchSet::expired(UtcTime now, std::size_t limit) const {
  std::vector<std::string> out;
  // Canonical ids start with eight digits (the birth date), so the 10,000 four-digit prefixes cover them
  // all; each scan holds at most one birth year of persons.
  for (int prefix = 0; prefix < 10'000 && out.size() < limit; ++prefix) {
    auto rows = store_.scan_prefix(Column::persons, fmt::format("{:04}", prefix));
    if (!rows) return Unexpected<Error>{rows.error()};
    for (const auto& [k, v] : *rows) {
      auto r = decode_person_record(v);
      if (r && r->watch_expiry <= now) out.push_back(k);
      if (out.size() >= limit) break;
    }
  }
  return out;
}

Expected<bool> add_expired_person_deletions(const store::Store& s, store::Batch& batch, const PersonId& person,
                                            UtcTime now) {
  const auto key = store::person_key(person);
  auto existing = read_record(s, batch, key);
  if (!existing) return Unexpected<Error>{existing.error()};
  if (!*existing || (*existing)->watch_expiry > now) return false;
  if ((*existing)->scheduled) {
    batch.erase(Column::schedule, store::schedule_key((*existing)->next_due, person));
    if (auto st = adjust_count(s, batch, -1); !st) return Unexpected<Error>{st.error()};
  }
  batch.erase(Column::persons, key);
  for (const auto column : {Column::slices, Column::engagements}) {
    auto rows = s.scan_prefix(column, key);
    if (!rows) return Unexpected<Error>{rows.error()};
    for (const auto& row : *rows) batch.erase(column, row.first);
  }
  return true;
}

}  // namespace bokade::ei
