#include "bokade/core/outcome.hpp"

namespace bokade {

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::timeout: return "timeout";
    case Outcome::connect_error: return "connect_error";
    case Outcome::http_status: return "http_status";
    case Outcome::soap_fault: return "soap_fault";
    case Outcome::parse_error: return "parse_error";
    case Outcome::not_authorized: return "not_authorized";
    case Outcome::no_route: return "no_route";
    case Outcome::rate_limited: return "rate_limited";
    case Outcome::circuit_open: return "circuit_open";
    case Outcome::cancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<Outcome> outcome_from_string(std::string_view s) noexcept {
  for (Outcome o : all_outcomes) {
    if (to_string(o) == s) return o;
  }
  return std::nullopt;
}

bool is_retryable(Outcome o) noexcept {
  switch (o) {
    case Outcome::timeout:
    case Outcome::connect_error:
    case Outcome::http_status:
      return true;
    default:
      return false;
  }
}

}  // namespace bokade
