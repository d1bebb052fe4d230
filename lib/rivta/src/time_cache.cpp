#include "time_cache.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "xml_text.hpp"

namespace bokade::rivta::detail {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// One local day: the UTC instant of its 00:00, and whether the whole day has the offset of 00:00.
// Stockholm changes offset at most once a day (at 02:00 or 03:00 local) since 1980, so a day whose
// 23:00 is 23 hours after its 00:00 has no change; on the two days a year that do, every local hour
// is looked up on its own (hour_cache).
struct DayEntry {
  std::uint32_t key = 0;  // YYYYMMDD as a number; 0 = empty
  bool uniform = false;
  UtcTime midnight{};
};

struct HourEntry {
  std::uint64_t key = 0;  // the ten digits YYYYMMDDhh as a number; 0 = empty
  UtcTime hour_start{};
};

constexpr std::size_t day_cache_size = 256;  // a schedule spans weeks or months: 4 KiB per thread
constexpr std::size_t hour_cache_size = 16;  // only the hours of the days with a change

std::optional<UtcTime> parse_slow(std::string_view text) {
  auto t = parse_rivta_time(text);
  if (!t) return std::nullopt;
  return *t;
}

// The slot of a day: its number in a proleptic Gregorian count (month and day need not be valid
// here; invalid dates are never stored), so that any 256 consecutive days have distinct slots.
std::size_t day_slot(int year, int month, int day) noexcept {
  const int y = month <= 2 ? year - 1 : year;
  const int shifted_month = (month + 9) % 12;  // March = 0
  const long days = 365L * y + y / 4 - y / 100 + y / 400 + (153 * shifted_month + 2) / 5 + day;
  return static_cast<std::size_t>(days) % day_cache_size;
}

std::optional<UtcTime> hour_start(std::string_view date, int hour, std::uint64_t key) {
  thread_local std::array<HourEntry, hour_cache_size> cache{};
  HourEntry& slot = cache[key % hour_cache_size];
  if (slot.key != key) {
    std::string text(date);
    text += static_cast<char>('0' + hour / 10);
    text += static_cast<char>('0' + hour % 10);
    text += "0000";
    const auto start = parse_slow(text);
    if (!start) return std::nullopt;
    slot.key = key;
    slot.hour_start = *start;
  }
  return slot.hour_start;
}

// Whether the 8 bytes at p are all ASCII digits: each byte's high nibble is 3, and adding 6 to it
// does not carry into the high nibble (low nibble <= 9).
bool eight_digits(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  constexpr std::uint64_t high = 0xF0F0F0F0F0F0F0F0u;
  constexpr std::uint64_t threes = 0x3030303030303030u;
  return (w & high) == threes && ((w + 0x0606060606060606u) & high) == threes;
}

}  // namespace

std::optional<UtcTime> parse_time(std::string_view text) {
  LastDay none;
  return parse_time(text, none);
}

std::optional<UtcTime> parse_time(std::string_view text, LastDay& last) {
  const auto t = trim(text);
  if (t.size() != 14 && t.size() != 12) return std::nullopt;
  // All digits: the first and the last 8 bytes (overlapping) checked a word at a time.
  if (!eight_digits(t.data()) || !eight_digits(t.data() + t.size() - 8)) return std::nullopt;
  auto two = [&](std::size_t i) { return (t[i] - '0') * 10 + (t[i + 1] - '0'); };
  const int hour = two(8);
  const int minute = two(10);
  const int second = t.size() == 14 ? two(12) : 0;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;  // as parse_rivta_time refuses them
  std::uint64_t date_digits = 0;
  std::memcpy(&date_digits, t.data(), sizeof date_digits);
  if (date_digits == last.date) return last.midnight + hours(hour) + minutes(minute) + seconds(second);
  const int year = two(0) * 100 + two(2);
  // Before 1980 Stockholm's offsets are not whole-hour-aligned in every case: leave those to the slow path.
  if (year < 1980) return parse_slow(t);
  const int month = two(4);
  const int day_of_month = two(6);
  const auto date_key = static_cast<std::uint32_t>(year * 10000 + month * 100 + day_of_month);

  thread_local std::array<DayEntry, day_cache_size> cache{};
  DayEntry& day = cache[day_slot(year, month, day_of_month)];
  if (day.key != date_key) {
    std::string probe(t.substr(0, 8));
    probe += "000000";
    const auto midnight = parse_slow(probe);
    if (!midnight) return std::nullopt;  // a date that does not exist
    probe.replace(8, 2, "23");
    const auto late = parse_slow(probe);
    if (!late) return std::nullopt;
    day.key = date_key;
    day.uniform = *late - *midnight == hours(23);
    day.midnight = *midnight;
  }
  if (day.uniform) {
    last.date = date_digits;
    last.midnight = day.midnight;
    return day.midnight + hours(hour) + minutes(minute) + seconds(second);
  }
  const auto start = hour_start(t.substr(0, 8), hour, std::uint64_t{date_key} * 100 + static_cast<std::uint64_t>(hour));
  if (!start) return std::nullopt;
  return *start + minutes(minute) + seconds(second);
}

}  // namespace bokade::rivta::detail
