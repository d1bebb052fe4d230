#include "xml_text.hpp"

#include <cstdint>

namespace bokade::rivta::detail {

namespace {
// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is malformed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; min = 0x80; }
  else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; min = 0x800; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; min = 0x10000; }
  else return 0;
  if (i + len > s.size()) return 0;
  std::uint32_t cp = b0 & (0x7Fu >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}
}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\r': out += "&#13;"; break;  // a literal CR would be normalised away by the reader
        case '\t':
        case '\n': out += c; break;
        default:
          if (u >= 0x20 && u != 0x7F) out += c;  // other C0 controls cannot be carried by XML 1.0
          break;
      }
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
}

std::optional<bool> parse_boolean_lenient(std::string_view text) noexcept {
  const auto t = trim(text);
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      char x = a[k];
      if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
      if (x != b[k]) return false;
    }
    return true;
  };
  if (t == "1" || iequals(t, "true")) return true;
  if (t == "0" || iequals(t, "false")) return false;
  return std::nullopt;
}

bool matches_resident_id_pattern(std::string_view s) noexcept {
  if (s.size() != 12) return false;
  for (std::size_t k = 0; k < 12; ++k) {
    const char c = s[k];
    const bool digit = c >= '0' && c <= '9';
    if (k == 8) {
      if (!digit && c != 'p' && c != 'P' && c != 't' && c != 'T' && c != 'f' && c != 'F') return false;
    } else if (!digit) {
      return false;
    }
  }
  return true;
}

}  // namespace bokade::rivta::detail
