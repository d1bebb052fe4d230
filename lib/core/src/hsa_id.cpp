#include "bokade/core/hsa_id.hpp"

#include <cctype>

#include <fmt/format.h>

namespace bokade {

std::string normalise_hsa(std::string_view text) {
  // ASCII only, as std::toupper does in the "C" locale bokaded runs in, but without a call into the C
  // library per character: every query normalises each of the person's addresses and clinics.
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
  }
  return out;
}

Expected<HsaId> HsaId::parse(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return fail("HSA-id is empty");
  if (text.size() > max_length) return fail(fmt::format("HSA-id has {} characters; at most {}", text.size(), max_length));
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) {
      return fail(fmt::format("HSA-id has a character that is not allowed at position {} (letters, digits, '-', '_', "
                              "'.' only)",
                              i + 1));
    }
  }
  return HsaId(std::string(text), normalise_hsa(text));
}

}  // namespace bokade
