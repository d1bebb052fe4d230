#include "text.hpp"

#include <cstdint>

#include "bokade/core/text.hpp"

namespace bokade::view::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

bool continuation(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

// The length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80U) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if (b0 >= 0xC2U && b0 <= 0xDFU) {
    n = 2, cp = b0 & 0x1FU, min = 0x80;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    n = 3, cp = b0 & 0x0FU, min = 0x800;
  } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
    n = 4, cp = b0 & 0x07U, min = 0x10000;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (!continuation(b)) return 0;
    cp = (cp << 6U) | (b & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFFU || (cp >= 0xD800U && cp <= 0xDFFFU)) return 0;
  return n;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (const std::size_t n = sequence_length(text, i); n > 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    out.append(replacement);
    // Skip the lead byte and the continuation bytes that belonged to it, so one broken character gives
    // one replacement character.
    ++i;
    while (i < text.size() && continuation(static_cast<unsigned char>(text[i]))) ++i;
  }
  return out;
}

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

std::string fold_name(std::string_view text) {
  std::string out = to_lower(trim(text));
  // Latin-1 capitals U+00C0..U+00DE (except U+00D7, the multiplication sign) are C3 80..C3 9E in UTF-8;
  // their small letters are 0x20 further on in the second byte.
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (static_cast<unsigned char>(out[i]) != 0xC3U) continue;
    const auto b = static_cast<unsigned char>(out[i + 1]);
    if (b >= 0x80U && b <= 0x9EU && b != 0x97U) out[i + 1] = static_cast<char>(b + 0x20U);
    ++i;
  }
  return out;
}

}  // namespace bokade::view::detail
