#include "time_cache.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "xml_text.hpp"

namespace bokade::rivta::detail {

namespace {

struct HourEntry {
  std::uint64_t key = 0;  // the ten digits YYYYMMDDhh as a number; 0 = empty
  UtcTime hour_start{};
};

constexpr std::size_t cache_size = 64;

std::optional<UtcTime> parse_slow(std::string_view text) {
  auto t = parse_rivta_time(text);
  if (!t) return std::nullopt;
  return *t;
}

}  // namespace

std::optional<UtcTime> parse_time(std::string_view text) {
  const auto t = trim(text);
  if (t.size() != 14 && t.size() != 12) return std::nullopt;
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    if (i < 10) key = key * 10 + static_cast<std::uint64_t>(t[i] - '0');
  }
  const int year = static_cast<int>(key / 1000000);
  // Before 1980 Stockholm's offsets are not whole-hour-aligned in every case: leave those to the slow path.
  if (year < 1980) return parse_slow(t);
  const int minutes = (t[10] - '0') * 10 + (t[11] - '0');
  const int seconds = t.size() == 14 ? (t[12] - '0') * 10 + (t[13] - '0') : 0;
  if (minutes > 59 || seconds > 59) return std::nullopt;

  thread_local std::array<HourEntry, cache_size> cache{};
  HourEntry& slot = cache[key % cache_size];
  if (slot.key != key) {
    std::string hour(t.substr(0, 10));
    hour += "0000";
    const auto start = parse_slow(hour);
    if (!start) return std::nullopt;
    slot.key = key;
    slot.hour_start = *start;
  }
  return slot.hour_start + std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

}  // namespace bokade::rivta::detail
