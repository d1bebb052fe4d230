#pragma once
// Shared by the libFuzzer targets: the input as bytes, limits small enough to keep runs fast, and a
// check that aborts (a crash libFuzzer reports) when a property does not hold.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta::fuzz {

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline ReaderLimits limits() {
  ReaderLimits l;
  l.max_bytes = 1u << 20;
  return l;
}

inline void require(bool property) {
  if (!property) std::abort();
}

// Whatever a reader refuses, it refuses as a parse error or a classified fault, with a reason.
inline void check_error(const ReadError& e) { require(!e.reason.empty() || e.outcome != Outcome::parse_error); }

}  // namespace bokade::rivta::fuzz
