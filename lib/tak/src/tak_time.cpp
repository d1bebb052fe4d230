// TAK timestamps. The JSON export writes "2009-03-10T00:00:00+0100" (Java's SimpleDateFormat "Z"), the
// 2016 dumps "+0000", the export header "Z", VP's cache "2013-08-09T13:25:24.260+02:00". We read all of
// them, plus a bare date or a time without zone as Swedish local time (what TAK administrators enter).

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "bokade/tak/tak_snapshot.hpp"

namespace bokade::tak {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  [[nodiscard]] bool done() const noexcept { return pos_ >= s_.size(); }
  [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s_[pos_]; }
  bool take(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  // Exactly n digits.
  bool digits(std::size_t n, int& out) noexcept {
    if (pos_ + n > s_.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos_ += n;
    return true;
  }
  void skip_digits() noexcept {
    while (!done() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Expected<UtcTime> parse_tak_time(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  const auto bad = [&](std::string_view why) {
    return fail(fmt::format("not a TAK time (expected like 2009-03-10T00:00:00+0100): {}", why));
  };
  Cursor c(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!c.digits(4, year) || !c.take('-') || !c.digits(2, month) || !c.take('-') || !c.digits(2, day)) {
    return bad("no date YYYY-MM-DD");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return bad("no such date");
  if (c.take('T') || c.take('t') || c.take(' ')) {
    if (!c.digits(2, hour) || !c.take(':') || !c.digits(2, minute)) return bad("no time hh:mm");
    if (c.take(':') && !c.digits(2, second)) return bad("seconds are not two digits");
    if (c.take('.') || c.take(',')) c.skip_digits();  // fractions: windows are kept to the second
    if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
    second = std::min(second, 59);  // a leap second counts as the second before
  }
  std::optional<std::chrono::seconds> offset;
  if (c.take('Z') || c.take('z')) {
    offset = std::chrono::seconds{0};
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = 1;
    if (c.take('-')) {
      sign = -1;
    } else {
      c.take('+');
    }
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) return bad("zone offset is not ±hh[:mm]");
    c.take(':');
    if (!c.done() && !c.digits(2, om)) return bad("zone offset is not ±hh[:mm]");
    if (oh > 18 || om > 59) return bad("zone offset out of range");
    offset = std::chrono::seconds{sign * (oh * 3600 + om * 60)};
  }
  if (!c.done()) return bad("unexpected text after the time");

  if (!offset) {
    // Swedish local time: let the RIVTA reader apply the Stockholm rules (DST gaps and folds included).
    return parse_rivta_time(fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", year, month, day, hour, minute, second));
  }
  const auto local = std::chrono::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second};
  return UtcTime{local - *offset};
}

}  // namespace bokade::tak
