#pragma once
// SourceStatus: what one logical address last said about one person, in the terms of the
// aggregating platform's ProcessingStatus header.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bokade/core/outcome.hpp"
#include "bokade/core/rivta_time.hpp"

namespace bokade {

enum class ProcessingStatusCode : std::uint8_t {
  DataFromSource,            // answered now
  DataFromCache,             // answered from our cache, which is fresh
  DataFromCacheSynchFailed,  // the source failed now; older data shown
  NoDataSynchFailed,         // the source failed and we have nothing from it
};

inline constexpr std::array<ProcessingStatusCode, 4> all_processing_status_codes{
    ProcessingStatusCode::DataFromSource, ProcessingStatusCode::DataFromCache,
    ProcessingStatusCode::DataFromCacheSynchFailed, ProcessingStatusCode::NoDataSynchFailed};

std::string_view to_string(ProcessingStatusCode c) noexcept;
std::optional<ProcessingStatusCode> processing_status_from_string(std::string_view s) noexcept;

// isResponseFromCache / isResponseInSynch as the schema defines them for each code.
constexpr bool is_response_from_cache(ProcessingStatusCode c) noexcept {
  return c != ProcessingStatusCode::DataFromSource;
}
constexpr bool is_response_in_synch(ProcessingStatusCode c) noexcept {
  return c == ProcessingStatusCode::DataFromSource || c == ProcessingStatusCode::DataFromCache;
}

struct SourceStatus {
  std::string logical_address;
  ProcessingStatusCode code = ProcessingStatusCode::NoDataSynchFailed;
  std::optional<UtcTime> last_success;
  std::optional<UtcTime> last_failure;
  Outcome last_outcome = Outcome::ok;  // of the latest attempt
  std::string error_code;              // e.g. "VP009" or an HTTP status; empty when none
  std::string error_text;              // short, never holds a personnummer
  std::string causing_agent;           // "virtualization_platform", "producer", "bokade"

  friend bool operator==(const SourceStatus&, const SourceStatus&) = default;
};

}  // namespace bokade
