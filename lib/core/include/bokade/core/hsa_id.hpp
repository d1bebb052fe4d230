#pragma once
// HsaId: an HSA-id or logical address (e.g. "SE2321000016-A1B2", "5565594230", "HSA-ID-1").
// HSA-ids are case-insensitive on the national platform, so equality, ordering and hashing use
// the normalised key (upper case); the original spelling is kept for display and for the wire.

#include <compare>
#include <functional>
#include <string>
#include <string_view>

#include "bokade/core/expected.hpp"

namespace bokade {

class HsaId {
 public:
  static constexpr std::size_t max_length = 64;

  // Letters, digits, '-', '_' and '.', 1 to max_length characters, surrounding white space trimmed.
  static Expected<HsaId> parse(std::string_view text);

  [[nodiscard]] const std::string& str() const noexcept { return original_; }  // as received
  [[nodiscard]] const std::string& key() const noexcept { return key_; }       // normalised (upper case)

  friend bool operator==(const HsaId& a, const HsaId& b) noexcept { return a.key_ == b.key_; }
  friend std::strong_ordering operator<=>(const HsaId& a, const HsaId& b) noexcept { return a.key_ <=> b.key_; }

 private:
  HsaId(std::string original, std::string key) : original_(std::move(original)), key_(std::move(key)) {}
  std::string original_;
  std::string key_;
};

// The upper-case form used for comparisons of HSA-ids held as plain strings.
std::string normalise_hsa(std::string_view text);

}  // namespace bokade

template <>
struct std::hash<bokade::HsaId> {
  std::size_t operator()(const bokade::HsaId& h) const noexcept { return std::hash<std::string>{}(h.key()); }
};
