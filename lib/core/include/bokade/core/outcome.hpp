#pragma once
// Outcome: the closed set of ways an outbound call can end. It is also a metric label value and
// the error code a ProcessingStatus record carries, so the names are stable.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bokade {

enum class Outcome : std::uint8_t {
  ok,
  timeout,          // deadline passed (connect, send or receive)
  connect_error,    // connection refused, reset, DNS, TLS handshake
  http_status,      // a non-2xx status without a SOAP fault body
  soap_fault,       // a SOAP fault from the producer
  parse_error,      // the body could not be read (malformed, oversized, wrong document)
  not_authorized,   // TAK forbids the call (VP007 or our own check)
  no_route,         // VP004: no route to the logical address
  rate_limited,     // our own per-source limit refused the call
  circuit_open,     // our own breaker refused the call
  cancelled,        // shut down or superseded
};

inline constexpr std::array<Outcome, 11> all_outcomes{
    Outcome::ok,           Outcome::timeout,    Outcome::connect_error, Outcome::http_status,
    Outcome::soap_fault,   Outcome::parse_error, Outcome::not_authorized, Outcome::no_route,
    Outcome::rate_limited, Outcome::circuit_open, Outcome::cancelled};

std::string_view to_string(Outcome o) noexcept;
std::optional<Outcome> outcome_from_string(std::string_view s) noexcept;

// Whether a call that ended so may be tried again later in the same refresh.
bool is_retryable(Outcome o) noexcept;

}  // namespace bokade
