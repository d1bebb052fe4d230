#pragma once
// Fast reading of RIVTA times (internal). parse_rivta_time asks the tz database for every value
// (~0.4 µs); a response of 50 timeslots holds 100 times, on a few dozen days at most. Stockholm
// changes offset only on whole hours (02:00/03:00 local since 1980) and at most once a day, so the
// UTC start of each local day (YYYYMMDD) is cached per thread and the time of day is added; on the
// two days a year with a change, the UTC start of each local hour is looked up instead. Results
// equal parse_rivta_time's, DST gap and fold included.

#include <cstdint>
#include <optional>
#include <string_view>

#include "bokade/core/rivta_time.hpp"

namespace bokade::rivta::detail {

std::optional<UtcTime> parse_time(std::string_view text);

// The local day of the previous time a walk read, when it had one offset all day. A walk's times
// mostly share the day of the one before (a timeslot's start and end; the rows of a notification), and
// this, on the walk's stack, is nearer than the per-thread cache.
struct LastDay {
  std::uint64_t date = 0;  // its eight digits YYYYMMDD as read (memcpy); 0 = none yet
  UtcTime midnight{};
};
// parse_time, first trying `last` (which it then updates).
std::optional<UtcTime> parse_time(std::string_view text, LastDay& last);

}  // namespace bokade::rivta::detail
