#pragma once
// Fast reading of RIVTA times (internal). parse_rivta_time asks the tz database for every value
// (~0.4 µs); a response of 50 timeslots holds 100 times, mostly in a handful of hours. Stockholm
// changes offset only on whole hours (02:00/03:00 local since 1980), so every time within one local
// hour has the offset of that hour's start: the UTC start of each YYYYMMDDhh is cached per thread
// and minutes and seconds are added. Results equal parse_rivta_time's, DST gap and fold included.

#include <optional>
#include <string_view>

#include "bokade/core/rivta_time.hpp"

namespace bokade::rivta::detail {

std::optional<UtcTime> parse_time(std::string_view text);

}  // namespace bokade::rivta::detail
