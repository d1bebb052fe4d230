#pragma once
// Fast reading of RIVTA times (internal). parse_rivta_time asks the tz database for every value
// (~0.4 µs); a response of 50 timeslots holds 100 times, on a few dozen days at most. Stockholm
// changes offset only on whole hours (02:00/03:00 local since 1980) and at most once a day, so the
// UTC start of each local day (YYYYMMDD) is cached per thread and the time of day is added; on the
// two days a year with a change, the UTC start of each local hour is looked up instead. Results
// equal parse_rivta_time's, DST gap and fold included.

#include <optional>
#include <string_view>

#include "bokade/core/rivta_time.hpp"

namespace bokade::rivta::detail {

std::optional<UtcTime> parse_time(std::string_view text);

}  // namespace bokade::rivta::detail
