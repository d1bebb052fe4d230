#pragma once
// ASCII case helpers for identifiers on the wire (HSA-ids, service domains, header names): they are
// ASCII by contract, so no locale is involved.

#include <cctype>
#include <string>
#include <string_view>

namespace bokade {

inline char ascii_lower(char c) noexcept { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace bokade
