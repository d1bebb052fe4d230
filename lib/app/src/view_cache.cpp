#include "view_cache.hpp"

#include <algorithm>
#include <functional>

namespace bokade::app {

namespace {

std::string key_of(const PersonId& person, ViewCache::Format format) {
  std::string key = person.str();  // 12 digits: with the format byte still within std::string's inline buffer
  key.push_back(static_cast<char>('0' + static_cast<int>(format)));
  return key;
}

}  // namespace

ViewCache::Shard& ViewCache::shard_of(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % shard_count];
}

std::shared_ptr<const CachedView> ViewCache::find(const PersonId& person, Format format, std::uint64_t generation,
                                                  const std::shared_ptr<const config::Config>& config,
                                                  std::chrono::system_clock::time_point now,
                                                  std::chrono::milliseconds max_age) {
  const std::string key = key_of(person, format);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return nullptr;
  const CachedView& v = *it->second;
  if (v.generation != generation || v.config != config || now >= v.expires) {
    shard.entries.erase(it);
    count_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  // As the query decides freshness: a source is fresh while now − last success ≤ maxAge. A query with a
  // shorter maxAge than the one that rendered it gets a refresh, not this entry (which stays for others).
  if (v.oldest_success && now - *v.oldest_success > max_age) return nullptr;
  return it->second;
}

void ViewCache::put(const PersonId& person, Format format, std::shared_ptr<const CachedView> view,
                    std::size_t capacity, std::chrono::system_clock::time_point now) {
  if (capacity == 0 || !view) return;
  const std::size_t per_shard = std::max<std::size_t>(1, capacity / shard_count);
  std::string key = key_of(person, format);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.entries.find(key); it != shard.entries.end()) {
    it->second = std::move(view);
    return;
  }
  std::size_t dropped = 0;
  if (shard.entries.size() >= per_shard) {
    dropped += std::erase_if(shard.entries, [&](const auto& e) { return now >= e.second->expires; });
  }
  while (shard.entries.size() >= per_shard) {
    shard.entries.erase(shard.entries.begin());
    ++dropped;
  }
  shard.entries.emplace(std::move(key), std::move(view));
  count_.fetch_add(1, std::memory_order_relaxed);
  count_.fetch_sub(dropped, std::memory_order_relaxed);
}

void ViewCache::clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    count_.fetch_sub(s.entries.size(), std::memory_order_relaxed);
    s.entries.clear();
  }
}

}  // namespace bokade::app
