#include "bokade/config/units.hpp"

#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace bokade::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads the digits at the front of `text`; false on overflow of uint64.
bool take_number(std::string_view& text, std::uint64_t& out) {
  out = 0;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    out = out * 10 + digit;
  }
  text.remove_prefix(i);
  return true;
}

std::string_view take_unit(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && is_alpha(text[i])) ++i;
  const auto unit = text.substr(0, i);
  text.remove_prefix(i);
  return unit;
}

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 5> duration_units{
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};
constexpr std::array<Unit, 9> size_units{{{"B", 1},
                                          {"KiB", 1ULL << 10},
                                          {"MiB", 1ULL << 20},
                                          {"GiB", 1ULL << 30},
                                          {"TiB", 1ULL << 40},
                                          {"kB", 1'000},
                                          {"MB", 1'000'000},
                                          {"GB", 1'000'000'000},
                                          {"TB", 1'000'000'000'000}}};

// Durations are held in int64 milliseconds; 100 years is far beyond any sensible setting and overflow-safe.
constexpr std::uint64_t max_duration_ms = 100ULL * 365 * 86'400'000;

}  // namespace

Expected<std::chrono::milliseconds> parse_duration(std::string_view text) {
  constexpr std::string_view hint =
      "write a number and a unit (ms, s, m, h, d), e.g. \"250ms\", \"5s\", \"10m\", \"1h30m\"";
  if (text.empty()) return fail(fmt::format("is empty; {}", hint));
  if (text == "0") return std::chrono::milliseconds{0};
  const std::string_view whole = text;
  std::uint64_t total = 0;
  std::size_t last_unit = duration_units.size();  // parts must go from larger to smaller units, each once
  while (!text.empty()) {
    if (!is_digit(text.front())) return fail(fmt::format("\"{}\" is not a duration; {}", whole, hint));
    std::uint64_t number = 0;
    if (!take_number(text, number)) return fail(fmt::format("\"{}\" is too large", whole));
    const auto unit = take_unit(text);
    if (unit.empty() && !text.empty()) return fail(fmt::format("\"{}\" is not a duration; {}", whole, hint));
    if (unit.empty()) return fail(fmt::format("\"{}\" has a number without a unit; {}", whole, hint));
    std::size_t index = duration_units.size();
    for (std::size_t i = 0; i < duration_units.size(); ++i) {
      if (duration_units[i].name == unit) index = i;
    }
    if (index == duration_units.size()) {
      return fail(fmt::format("\"{}\" has an unknown unit \"{}\"; {}", whole, unit, hint));
    }
    if (last_unit != duration_units.size() && index <= last_unit) {
      return fail(fmt::format("\"{}\": write each unit once, larger units first (e.g. \"1h30m\")", whole));
    }
    last_unit = index;
    const auto factor = duration_units[index].factor;
    if (number > max_duration_ms / factor || total + number * factor > max_duration_ms) {
      return fail(fmt::format("\"{}\" is too large (at most 100 years)", whole));
    }
    total += number * factor;
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(total)};
}

Expected<std::uint64_t> parse_size(std::string_view text) {
  constexpr std::string_view hint = "write a number and a unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), e.g. \"64MiB\"";
  if (text.empty()) return fail(fmt::format("is empty; {}", hint));
  const std::string_view whole = text;
  if (!is_digit(text.front())) return fail(fmt::format("\"{}\" is not a size; {}", whole, hint));
  std::uint64_t number = 0;
  if (!take_number(text, number)) return fail(fmt::format("\"{}\" is too large", whole));
  const auto unit = take_unit(text);
  if (!text.empty()) return fail(fmt::format("\"{}\" is not a size; {}", whole, hint));
  if (unit.empty()) return number;
  for (const auto& u : size_units) {
    if (u.name == unit) {
      if (number > std::numeric_limits<std::uint64_t>::max() / u.factor) {
        return fail(fmt::format("\"{}\" is too large", whole));
      }
      return number * u.factor;
    }
  }
  return fail(fmt::format("\"{}\" has an unknown unit \"{}\"; {}", whole, unit, hint));
}

std::string format_duration(std::chrono::milliseconds value) {
  auto rest = static_cast<std::uint64_t>(value.count() < 0 ? 0 : value.count());
  if (rest == 0) return "0s";
  std::string out;
  for (const auto& u : duration_units) {
    if (rest >= u.factor) {
      out += fmt::format("{}{}", rest / u.factor, u.name);
      rest %= u.factor;
    }
  }
  return out;
}

std::string format_size(std::uint64_t bytes) {
  for (std::size_t i = 4; i >= 1; --i) {  // TiB, GiB, MiB, KiB
    const auto& u = size_units[i];
    if (bytes != 0 && bytes % u.factor == 0) return fmt::format("{}{}", bytes / u.factor, u.name);
  }
  return fmt::format("{}B", bytes);
}

}  // namespace bokade::config
