#include "faults.hpp"

#include <charconv>
#include <cmath>
#include <numbers>

#include "world.hpp"

namespace bokade::sim {

std::string_view to_string(FaultMode m) noexcept {
  switch (m) {
    case FaultMode::none: return "none";
    case FaultMode::timeout: return "timeout";
    case FaultMode::refused: return "refused";
    case FaultMode::reset: return "reset";
    case FaultMode::http500: return "http500";
    case FaultMode::malformed: return "malformed";
    case FaultMode::drip: return "drip";
    case FaultMode::oversized: return "oversized";
  }
  return "none";
}

Expected<FaultMode> parse_fault_mode(std::string_view text) {
  for (FaultMode m : all_fault_modes) {
    if (to_string(m) == text) return m;
  }
  return fail("unknown fault mode '" + std::string(text) +
              "' (none, timeout, refused, reset, http500, malformed, drip, oversized)");
}

Expected<Micros> parse_duration(std::string_view text) {
  if (text == "0") return Micros{0};
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || value < 0) return fail("bad duration '" + std::string(text) + "' (e.g. 250ms, 5s)");
  const std::string_view unit_text(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double factor = 0;
  if (unit_text == "us") factor = 1;
  else if (unit_text == "ms") factor = 1e3;
  else if (unit_text == "s") factor = 1e6;
  else if (unit_text == "m") factor = 60e6;
  else return fail("bad duration '" + std::string(text) + "': unit must be us, ms, s or m");
  return Micros{static_cast<std::int64_t>(value * factor)};
}

std::string format_duration(Micros d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "ms";
  return std::to_string(d.count()) + "us";
}

Micros Latency::sample(double u1, double u2) const noexcept {
  if (!lognormal || median.count() == 0) return median;
  // p99 = median · exp(2.3263 σ) for a lognormal distribution.
  const double sigma = std::log(static_cast<double>(p99.count()) / static_cast<double>(median.count())) / 2.326348;
  const double z = std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return Micros{static_cast<std::int64_t>(static_cast<double>(median.count()) * std::exp(sigma * z))};
}

std::string Latency::describe() const {
  if (!lognormal) return "fixed:" + format_duration(median);
  return "lognormal:" + format_duration(median) + ":" + format_duration(p99);
}

Expected<Latency> parse_latency(std::string_view text) {
  Latency l;
  std::string_view rest = text;
  if (rest.starts_with("fixed:")) rest.remove_prefix(6);
  if (rest.starts_with("lognormal:")) {
    rest.remove_prefix(10);
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) return fail("lognormal latency needs median and p99: lognormal:40ms:800ms");
    auto median = parse_duration(rest.substr(0, colon));
    auto p99 = parse_duration(rest.substr(colon + 1));
    if (!median) return Unexpected<Error>{median.error()};
    if (!p99) return Unexpected<Error>{p99.error()};
    if (*p99 < *median || median->count() == 0) return fail("lognormal latency needs 0 < median <= p99");
    l.lognormal = true;
    l.median = *median;
    l.p99 = *p99;
    return l;
  }
  auto fixed = parse_duration(rest);
  if (!fixed) return Unexpected<Error>{fixed.error()};
  l.median = *fixed;
  l.p99 = *fixed;
  return l;
}

Behaviours::Behaviours(std::uint64_t seed, std::size_t systems) : seed_(seed) {
  for (std::size_t i = 0; i < systems; ++i) slots_.push_back(std::make_unique<Slot>());
}

Behaviour Behaviours::get(std::size_t system) const {
  std::lock_guard lock(slots_[system]->mutex);
  return slots_[system]->behaviour;
}

void Behaviours::set(std::size_t system, const Behaviour& b) {
  std::lock_guard lock(slots_[system]->mutex);
  slots_[system]->behaviour = b;
}

CallDecision Behaviours::decide(std::size_t system) {
  Slot& s = *slots_[system];
  const std::uint64_t n = s.calls.fetch_add(1, std::memory_order_relaxed);
  const Behaviour b = get(system);
  CallDecision d;
  d.mode = b.mode;
  if (d.mode == FaultMode::none && b.error_rate > 0 && unit(mix(seed_ ^ 0xE77, system, n)) < b.error_rate) {
    d.mode = FaultMode::http500;
  }
  d.delay = b.latency.sample(unit(mix(seed_ ^ 0x1A7, system, n)), unit(mix(seed_ ^ 0x1A8, system, n)));
  return d;
}

}  // namespace bokade::sim
