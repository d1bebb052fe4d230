#pragma once
// How each simulated booking system misbehaves: a latency distribution (fixed, or lognormal given
// its median and 99th percentile), an error rate (share of calls answered with an HTTP 500 SOAP
// fault) and a fault mode that applies to every call. Settable by flags and by the control API.
// Draws are deterministic per system and call number, so a run can be repeated.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/expected.hpp"

namespace bokade::sim {

enum class FaultMode : std::uint8_t {
  none,
  timeout,    // never answers (the direct listener holds the connection; VP answers VP009 after its timeout)
  refused,    // connection refused: the system's own listener is closed; VP answers VP009
  reset,      // headers and half the body, then a TCP reset
  http500,    // HTTP 500 with a SOAP fault from the producer
  malformed,  // HTTP 200 with XML that is not well-formed
  drip,       // the right answer, a few bytes at a time
  oversized,  // HTTP 200 with a body larger than any sane limit
};
inline constexpr FaultMode all_fault_modes[] = {FaultMode::none,    FaultMode::timeout,   FaultMode::refused,
                                                FaultMode::reset,   FaultMode::http500,   FaultMode::malformed,
                                                FaultMode::drip,    FaultMode::oversized};
std::string_view to_string(FaultMode m) noexcept;
Expected<FaultMode> parse_fault_mode(std::string_view text);

using Micros = std::chrono::microseconds;

struct Latency {
  bool lognormal = false;
  Micros median{0};  // the fixed latency when not lognormal
  Micros p99{0};
  // u1, u2 uniform in [0, 1).
  [[nodiscard]] Micros sample(double u1, double u2) const noexcept;
  [[nodiscard]] std::string describe() const;
};
// "0", "50ms", "fixed:50ms", "lognormal:40ms:800ms" (median, p99).
Expected<Latency> parse_latency(std::string_view text);
// "250ms", "5s", "2m", "1500us", "0".
Expected<Micros> parse_duration(std::string_view text);
std::string format_duration(Micros d);

struct Behaviour {
  FaultMode mode = FaultMode::none;
  Latency latency;
  double error_rate = 0.0;
};

// What one call to one system gets.
struct CallDecision {
  FaultMode mode = FaultMode::none;  // error_rate draws turn into http500
  Micros delay{0};
};

class Behaviours {
 public:
  Behaviours(std::uint64_t seed, std::size_t systems);
  [[nodiscard]] Behaviour get(std::size_t system) const;
  void set(std::size_t system, const Behaviour& b);
  CallDecision decide(std::size_t system);
  [[nodiscard]] std::size_t size() const noexcept { return slots_.size(); }

 private:
  struct Slot {
    mutable std::mutex mutex;
    Behaviour behaviour;
    std::atomic<std::uint64_t> calls{0};
  };
  std::uint64_t seed_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace bokade::sim
