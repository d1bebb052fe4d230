#pragma once
// ViewCache: rendered answers of the citizen's view (JSON, ICS), served again while they are what a new
// query would answer.
//
// A query that needed no refresh (every source DataFromCache) renders from the store alone, so the same
// store rows, config and time give the same bytes. An entry is served again only while all of these hold:
// - the person's generation in the store (Store::person_generation, read before the query read the rows)
//   is unchanged: nothing of their engagements, relations or slices was written since;
// - the config is the one it was rendered with (a reload makes new entries);
// - every source is still fresh for this query's maxAge (the oldest last success is kept), so the query
//   would not refresh anything;
// - no appointment shown has reached a cut-off, its start or the end of its showing (PersonView::changes_at);
// - it is younger than refresh.view_cache_ttl.
// Its "generated" / DTSTAMP is the time it was rendered, which is what those fields say.
// One input is not followed: the booking system the refresher learns for an address from another person's
// engagements (used when the person's own engagements do not name it) — a rule set that changes that way
// applies to a kept answer at most view_cache_ttl later.
//
// Bounded by refresh.view_cache_entries (read on every call, so a reload applies at once): a full shard
// first drops its expired entries, then an arbitrary one. Thread-safe; 16 shards, one mutex each.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "bokade/config/config.hpp"
#include "bokade/core/person_id.hpp"

namespace bokade::app {

struct CachedView {
  std::string body;
  std::uint64_t generation = 0;                     // the person's store generation before the rows were read
  std::shared_ptr<const config::Config> config;     // the config it was rendered with
  std::optional<std::chrono::system_clock::time_point> oldest_success;  // of its sources; absent: no sources
  std::chrono::system_clock::time_point expires{};  // min(rendered + ttl, the view's changes_at)
  std::size_t appointments = 0;                     // for the log line
  std::size_t sources = 0;
};

class ViewCache {
 public:
  enum class Format : std::uint8_t { json, ics };

  // The entry for (person, format) when it may be served now to a query with `max_age`, else null
  // (an entry found no longer valid is dropped).
  std::shared_ptr<const CachedView> find(const PersonId& person, Format format, std::uint64_t generation,
                                         const std::shared_ptr<const config::Config>& config,
                                         std::chrono::system_clock::time_point now, std::chrono::milliseconds max_age);

  // Keeps `view` for (person, format), replacing any entry; nothing when capacity is 0.
  void put(const PersonId& person, Format format, std::shared_ptr<const CachedView> view, std::size_t capacity,
           std::chrono::system_clock::time_point now);

  [[nodiscard]] std::size_t size() const noexcept { return count_.load(std::memory_order_relaxed); }
  void clear();

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const CachedView>> entries;
  };
  static constexpr std::size_t shard_count = 16;
  Shard& shard_of(const std::string& key);
  std::array<Shard, shard_count> shards_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace bokade::app
