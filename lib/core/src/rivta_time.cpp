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

// The Stockholm period (UTC offset and the instants it holds between) last looked up by this thread. A
// query formats a dozen times that nearly all fall in the same period; a lookup in the tz database is a
// binary search and a fresh date::sys_info each time, this is two comparisons.
struct CachedPeriod {
  UtcTime begin = UtcTime::max();  // empty until the first lookup
  UtcTime end = UtcTime::min();
  std::chrono::seconds offset{0};
};

std::chrono::seconds cached_offset(UtcTime t) {
  thread_local CachedPeriod period;
  if (t < period.begin || t >= period.end) {
    const auto info = stockholm()->get_info(t);
    period = {info.begin, info.end, info.offset};
  }
  return period.offset;
}

void put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Writes the date and time of `since_epoch` (seconds since 1970-01-01 00:00, in whatever zone the caller
// has shifted it to) as "YYYY-MM-DDThh:mm:ss" (19 characters) or, compact, "YYYYMMDDhhmmss" (14), as
// date::format("%Y-%m-%dT%H:%M:%S") would, but without an ostringstream and its locale per call.
// Returns the number of characters written, or 0 for a year outside 0000..9999, which %Y writes
// differently (more digits, a sign) and which the callers leave to date::format.
std::size_t put_date_time(char* out, std::chrono::seconds since_epoch, bool compact) noexcept {
  const auto day = std::chrono::floor<date::days>(since_epoch);
  const date::year_month_day ymd{date::sys_days{day}};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return 0;
  const auto in_day = static_cast<unsigned>((since_epoch - day).count());  // 0 .. 86399
  char* p = out;
  const auto y = static_cast<unsigned>(year);
  put2(p, y / 100);
  put2(p + 2, y % 100);
  p += 4;
  if (!compact) *p++ = '-';
  put2(p, static_cast<unsigned>(ymd.month()));
  p += 2;
  if (!compact) *p++ = '-';
  put2(p, static_cast<unsigned>(ymd.day()));
  p += 2;
  if (!compact) *p++ = 'T';
  put2(p, in_day / 3600);
  p += 2;
  if (!compact) *p++ = ':';
  put2(p, in_day / 60 % 60);
  p += 2;
  if (!compact) *p++ = ':';
  put2(p, in_day % 60);
  p += 2;
  return static_cast<std::size_t>(p - out);
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

std::chrono::seconds stockholm_offset(UtcTime t) { return cached_offset(t); }

std::string format_rivta_time(UtcTime t) {
  const auto local = t.time_since_epoch() + cached_offset(t);
  char buf[16];
  if (const std::size_t n = put_date_time(buf, local, true); n > 0) return std::string(buf, n);
  return date::format("%Y%m%d%H%M%S", date::local_seconds{local});
}

void append_iso_local(std::string& out, UtcTime t) {
  const auto off = cached_offset(t);
  const auto local = t.time_since_epoch() + off;
  const auto mins = std::chrono::duration_cast<std::chrono::minutes>(off).count();
  const auto abs_mins = static_cast<unsigned>(mins < 0 ? -mins : mins);
  char buf[32];
  std::size_t n = put_date_time(buf, local, false);
  if (n == 0 || abs_mins / 60 > 99) {
    out += fmt::format("{}{}{:02}:{:02}", date::format("%Y-%m-%dT%H:%M:%S", date::local_seconds{local}),
                       mins < 0 ? '-' : '+', abs_mins / 60, abs_mins % 60);
    return;
  }
  buf[n++] = mins < 0 ? '-' : '+';
  put2(buf + n, abs_mins / 60);
  buf[n + 2] = ':';
  put2(buf + n + 3, abs_mins % 60);
  out.append(buf, n + 5);
}

std::string format_iso_local(UtcTime t) {
  std::string out;
  append_iso_local(out, t);
  return out;
}

std::string format_iso_utc(UtcTime t) {
  char buf[32];
  std::size_t n = put_date_time(buf, t.time_since_epoch(), false);
  if (n == 0) return date::format("%Y-%m-%dT%H:%M:%SZ", t);
  buf[n++] = 'Z';
  return std::string(buf, n);
}

}  // namespace bokade
