#include "bokade/core/rivta_time.hpp"

#include <cctype>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace bokade {
namespace {

const date::time_zone* stockholm() {
  // locate_zone reads the system tz database once; the pointer stays valid for the process.
  static const date::time_zone* zone = date::locate_zone("Europe/Stockholm");
  return zone;
}

int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

Expected<UtcTime> parse_rivta_time(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.size() != 14 && text.size() != 12) {
    return fail(fmt::format("time has {} characters; expected 14 (YYYYMMDDhhmmss) or 12 (YYYYMMDDhhmm)", text.size()));
  }
  for (char c : text) {
    if (c < '0' || c > '9') return fail("time must be digits only (YYYYMMDDhhmmss)");
  }
  const int y = digits(text, 0, 4);
  const int mo = digits(text, 4, 2);
  const int d = digits(text, 6, 2);
  const int h = digits(text, 8, 2);
  const int mi = digits(text, 10, 2);
  const int s = text.size() == 14 ? digits(text, 12, 2) : 0;
  if (y < 1000) return fail("time has a year before 1000");
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return fail(fmt::format("time has a date that does not exist ({:04}-{:02}-{:02})", y, mo, d));
  if (h > 23 || mi > 59 || s > 59) return fail(fmt::format("time of day {:02}:{:02}:{:02} is out of range", h, mi, s));

  const date::local_seconds local =
      date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
  const auto info = stockholm()->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
      return UtcTime{local.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      // Spring gap: read with the offset in force before the change (first = the earlier period).
      return UtcTime{local.time_since_epoch() - info.first.offset};
    case date::local_info::ambiguous:
      // Autumn fold: the earlier instant, which is the one with the larger (summer) offset.
      return UtcTime{local.time_since_epoch() - info.first.offset};
  }
  return fail("time could not be placed in Europe/Stockholm");
}

std::chrono::seconds stockholm_offset(UtcTime t) { return stockholm()->get_info(t).offset; }

std::string format_rivta_time(UtcTime t) {
  const auto local = date::local_seconds{t.time_since_epoch() + stockholm_offset(t)};
  return date::format("%Y%m%d%H%M%S", local);
}

std::string format_iso_local(UtcTime t) {
  const auto off = stockholm_offset(t);
  const auto local = date::local_seconds{t.time_since_epoch() + off};
  const auto mins = std::chrono::duration_cast<std::chrono::minutes>(off).count();
  return fmt::format("{}{}{:02}:{:02}", date::format("%Y-%m-%dT%H:%M:%S", local), mins < 0 ? '-' : '+',
                     std::abs(mins) / 60, std::abs(mins) % 60);
}

std::string format_iso_utc(UtcTime t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

}  // namespace bokade
