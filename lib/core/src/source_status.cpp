#include "bokade/core/source_status.hpp"

namespace bokade {

std::string_view to_string(ProcessingStatusCode c) noexcept {
  switch (c) {
    case ProcessingStatusCode::DataFromSource: return "DataFromSource";
    case ProcessingStatusCode::DataFromCache: return "DataFromCache";
    case ProcessingStatusCode::DataFromCacheSynchFailed: return "DataFromCacheSynchFailed";
    case ProcessingStatusCode::NoDataSynchFailed: return "NoDataSynchFailed";
  }
  return "NoDataSynchFailed";
}

std::optional<ProcessingStatusCode> processing_status_from_string(std::string_view s) noexcept {
  for (auto c : all_processing_status_codes) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

}  // namespace bokade
