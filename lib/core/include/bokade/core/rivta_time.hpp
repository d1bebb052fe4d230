#pragma once
// RIVTA timestamps: "YYYYMMDDhhmmss" (14 digits; some producers send 12, "YYYYMMDDhhmm") in Swedish
// local time without a zone. bokade holds every instant as UTC.
//
// Daylight saving (Europe/Stockholm):
// - Spring gap (e.g. 2026-03-29 02:00–03:00 does not exist): a time in the gap is read with the
//   offset in force before the change (+01:00), so 02:30 becomes 01:30 UTC, shown as 03:30 local.
// - Autumn fold (e.g. 2026-10-25 02:00–03:00 happens twice): the earlier of the two is taken
//   (+02:00, summer time), so 02:30 becomes 00:30 UTC. A producer cannot say which it meant.

#include <chrono>
#include <string>
#include <string_view>

#include "bokade/core/expected.hpp"

namespace bokade {

using UtcTime = std::chrono::sys_seconds;

// Parses 14 digits, or leniently 12 (seconds = 0). Surrounding white space is ignored.
Expected<UtcTime> parse_rivta_time(std::string_view text);
// Formats as 14 digits of Europe/Stockholm local time.
std::string format_rivta_time(UtcTime t);
// ISO 8601 with the Stockholm offset, e.g. "2026-11-22T09:30:00+01:00".
std::string format_iso_local(UtcTime t);
// ISO 8601 in UTC, e.g. "2026-11-22T08:30:00Z".
std::string format_iso_utc(UtcTime t);
// format_iso_local(t) appended to `out`, for writers that put many times into one buffer.
void append_iso_local(std::string& out, UtcTime t);
// The Stockholm UTC offset in force at t.
std::chrono::seconds stockholm_offset(UtcTime t);

}  // namespace bokade
