#pragma once
// Small text helpers shared by the readers and writers (internal).

#include <optional>
#include <string>
#include <string_view>

namespace bokade::rivta::detail {

constexpr bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// XML white space (space, tab, CR, LF) trimmed from both ends. Inline: the readers call it for
// every value.
inline std::string_view trim(std::string_view s) noexcept {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_xml_space(s[b])) ++b;
  while (e > b && is_xml_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Appends `text` escaped for element content or a double-quoted attribute value. Characters XML 1.0
// cannot carry (C0 controls other than tab/LF/CR) are dropped; malformed UTF-8 bytes become U+FFFD,
// so whatever the input, the output is well-formed.
void append_escaped(std::string& out, std::string_view text);

// xs:boolean read leniently: "true"/"1" (any case, trimmed) = true, "false"/"0" = false, else nullopt.
std::optional<bool> parse_boolean_lenient(std::string_view text) noexcept;
// The same, with the four spellings producers send (already trimmed, lower case) told inline: a
// response holds four booleans per timeslot.
inline std::optional<bool> parse_boolean(std::string_view text) noexcept {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return parse_boolean_lenient(text);
}

// The crm/EI identity pattern [0-9]{8}[0-9pPtTfF][0-9]{3}, as the schema means it.
bool matches_resident_id_pattern(std::string_view s) noexcept;

}  // namespace bokade::rivta::detail
