#pragma once
// Durations and sizes as the config file writes them.
//
// Durations: one or more <integer><unit> parts, unit ms, s, m (minutes), h, d — "250ms", "5s", "10m", "1h30m",
// "30d"; "0s" (or "0") is zero. No sign, no fraction, no spaces.
// Sizes: <integer><unit> with B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000);
// a bare integer in the file means bytes.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "bokade/core/expected.hpp"

namespace bokade::config {

Expected<std::chrono::milliseconds> parse_duration(std::string_view text);
Expected<std::uint64_t> parse_size(std::string_view text);

// The shortest exact spelling: 7200000ms → "2h", 90000ms → "1m30s", 0 → "0s".
std::string format_duration(std::chrono::milliseconds value);
// The largest binary unit that divides exactly: 268435456 → "256MiB", 1000 → "1000B".
std::string format_size(std::uint64_t bytes);

}  // namespace bokade::config
