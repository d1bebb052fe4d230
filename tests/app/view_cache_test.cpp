// The view cache's rules for serving a rendered answer again (lib/app/src/view_cache.hpp).

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bokade/config/config.hpp"
#include "view_cache.hpp"

using namespace bokade;
using namespace bokade::app;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

const TimePoint t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 8h;

PersonId person(const char* id) {
  auto p = PersonId::parse(id);
  REQUIRE(p.has_value());
  return *p;
}

std::shared_ptr<CachedView> entry(std::string body, std::uint64_t generation,
                                  std::shared_ptr<const config::Config> config, TimePoint oldest_success,
                                  TimePoint expires) {
  auto e = std::make_shared<CachedView>();
  e->body = std::move(body);
  e->generation = generation;
  e->config = std::move(config);
  e->oldest_success = oldest_success;
  e->expires = expires;
  return e;
}

}  // namespace

TEST_CASE("an entry is served while generation, config, freshness and time all allow it") {
  const auto config = std::make_shared<const config::Config>();
  const auto tolvan = person("191212121212");
  ViewCache cache;
  // Rendered at t0 from sources whose oldest success was 2 minutes before; valid for 30 s.
  cache.put(tolvan, ViewCache::Format::json, entry("{\"a\":1}", 7, config, t0 - 2min, t0 + 30s), 100, t0);
  CHECK(cache.size() == 1);

  auto hit = cache.find(tolvan, ViewCache::Format::json, 7, config, t0 + 10s, 5min);
  REQUIRE(hit != nullptr);
  CHECK(hit->body == "{\"a\":1}");

  // Another format of the same person is another entry.
  CHECK(cache.find(tolvan, ViewCache::Format::ics, 7, config, t0 + 10s, 5min) == nullptr);
  // A query with a shorter maxAge than the sources' age would refresh: not served, but kept for others.
  CHECK(cache.find(tolvan, ViewCache::Format::json, 7, config, t0 + 10s, 1min) == nullptr);
  CHECK(cache.size() == 1);
  // At the moment it expires (its ttl or the view's changes_at), it is dropped.
  CHECK(cache.find(tolvan, ViewCache::Format::json, 7, config, t0 + 30s, 5min) == nullptr);
  CHECK(cache.size() == 0);
}

TEST_CASE("a write of the person's rows or a new config makes an entry useless, and it is dropped") {
  const auto config = std::make_shared<const config::Config>();
  const auto tolvan = person("191212121212");
  ViewCache cache;
  cache.put(tolvan, ViewCache::Format::json, entry("old", 7, config, t0, t0 + 30s), 100, t0);
  CHECK(cache.find(tolvan, ViewCache::Format::json, 8, config, t0 + 1s, 5min) == nullptr);
  CHECK(cache.size() == 0);

  cache.put(tolvan, ViewCache::Format::json, entry("old", 8, config, t0, t0 + 30s), 100, t0);
  const auto reloaded = std::make_shared<const config::Config>();  // equal content, but another load
  CHECK(cache.find(tolvan, ViewCache::Format::json, 8, reloaded, t0 + 1s, 5min) == nullptr);
  CHECK(cache.size() == 0);

  // A newer rendering replaces the older one.
  cache.put(tolvan, ViewCache::Format::json, entry("old", 8, config, t0, t0 + 30s), 100, t0);
  cache.put(tolvan, ViewCache::Format::json, entry("new", 9, config, t0, t0 + 30s), 100, t0);
  CHECK(cache.size() == 1);
  auto hit = cache.find(tolvan, ViewCache::Format::json, 9, config, t0 + 1s, 5min);
  REQUIRE(hit != nullptr);
  CHECK(hit->body == "new");
}

TEST_CASE("the cache keeps at most its capacity, dropping expired entries first; capacity 0 keeps none") {
  const auto config = std::make_shared<const config::Config>();
  ViewCache cache;
  // 300 valid personnummer born in 1980: enough persons to fill every shard.
  std::vector<PersonId> persons;
  for (int day = 1; day <= 28; ++day) {
    for (int month = 1; month <= 12; ++month) {
      for (int serial = 0; serial < 10 && persons.size() < 300; ++serial) {
        std::string digits = fmt::format("80{:02}{:02}{:03}", month, day, 100 + serial);
        int sum = 0;
        for (std::size_t i = 0; i < digits.size(); ++i) {
          int d = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
          sum += d / 10 + d % 10;
        }
        digits += static_cast<char>('0' + (10 - sum % 10) % 10);
        persons.push_back(person(("19" + digits).c_str()));
      }
    }
  }
  REQUIRE(persons.size() == 300);
  for (const auto& p : persons) cache.put(p, ViewCache::Format::json, entry("x", 1, config, t0, t0 + 30s), 64, t0);
  CHECK(cache.size() <= 64);
  CHECK(cache.size() >= 16);

  // Expired entries go first: once the first ones have expired, new ones take their places and the
  // new ones stay (8 new entries over 16 shards of 4).
  for (std::size_t i = 0; i < 8; ++i) {
    cache.put(persons[i], ViewCache::Format::ics, entry("y", 1, config, t0, t0 + 2min), 64, t0 + 1min);
  }
  CHECK(cache.size() <= 64);
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(cache.find(persons[i], ViewCache::Format::ics, 1, config, t0 + 1min, 5min) != nullptr);
  }

  ViewCache off;
  off.put(persons[0], ViewCache::Format::json, entry("x", 1, config, t0, t0 + 30s), 0, t0);
  CHECK(off.size() == 0);
  cache.clear();
  CHECK(cache.size() == 0);
}
