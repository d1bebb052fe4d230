#include "text.hpp"

#include <cstdint>
#include <cstring>

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
    // Producers' text is mostly ASCII: copy each run of it at once.
    std::size_t ascii = i;
    while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80U) ++ascii;
    out.append(text.substr(i, ascii - i));
    i = ascii;
    if (i == text.size()) break;
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

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

// Whether any of the 8 bytes in `w` is zero (exact as a yes/no, the usual carry trick).
constexpr std::uint64_t has_zero_byte(std::uint64_t w) noexcept { return (w - ones) & ~w & highs; }

// Whether any of the 8 bytes in `w` needs more than a copy in a JSON string: non-ASCII (to be checked as
// UTF-8), below 0x20, '"' or '\\'.
constexpr bool needs_care(std::uint64_t w) noexcept {
  return ((w & highs) | has_zero_byte(w ^ (ones * '"')) | has_zero_byte(w ^ (ones * '\\')) |
          ((w - ones * 0x20U) & ~w & highs)) != 0;
}

constexpr bool plain_json_byte(unsigned char c) noexcept { return c >= 0x20U && c < 0x80U && c != '"' && c != '\\'; }

char* put(char* out, std::string_view s) noexcept {
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

}  // namespace

char* write_json_string(char* out, std::string_view text) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const char* in = text.data();
  const std::size_t size = text.size();
  *out++ = '"';
  std::size_t i = 0;
  while (i < size) {
    // Producers' text is mostly plain ASCII: eight bytes at a time while none needs care.
    for (std::uint64_t w = 0; i + 8 <= size; i += 8, out += 8) {
      std::memcpy(&w, in + i, 8);
      if (needs_care(w)) break;
      std::memcpy(out, &w, 8);
    }
    if (i == size) break;
    const auto c = static_cast<unsigned char>(in[i]);
    if (plain_json_byte(c)) {
      *out++ = static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80U) {
      if (const std::size_t n = sequence_length(text, i); n > 0) {
        out = put(out, text.substr(i, n));
        i += n;
      } else {
        out = put(out, replacement);
        ++i;
        while (i < size && continuation(static_cast<unsigned char>(in[i]))) ++i;
      }
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"': *out++ = '"'; break;
      case '\\': *out++ = '\\'; break;
      case '\b': *out++ = 'b'; break;
      case '\t': *out++ = 't'; break;
      case '\n': *out++ = 'n'; break;
      case '\f': *out++ = 'f'; break;
      case '\r': *out++ = 'r'; break;
      default:
        out = put(out, "u00");
        *out++ = hex[c >> 4U];
        *out++ = hex[c & 0xFU];
    }
    ++i;
  }
  *out++ = '"';
  return out;
}

std::string_view trim(std::string_view text) noexcept {
  // What isspace() says in the "C" locale, without a find_first_not_of (a memchr per character).
  const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  std::size_t first = 0;
  std::size_t last = text.size();
  while (first < last && space(text[first])) ++first;
  while (last > first && space(text[last - 1])) --last;
  return text.substr(first, last - first);
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
