#pragma once
// Text helpers the renderers share. Producers' strings reach us through XML, but nothing guarantees they
// are valid UTF-8 or free of control characters, and both JSON and ICS must be valid whatever came in.

#include <string>
#include <string_view>

namespace bokade::view::detail {

// Malformed UTF-8 (stray continuation bytes, overlong forms, surrogates, truncated sequences, code points
// above U+10FFFF) becomes U+FFFD, one per broken sequence; valid text is returned unchanged.
std::string valid_utf8(std::string_view text);

// The most write_json_string() writes for `size` bytes of text: every byte a \u00xx escape, and the quotes.
constexpr std::size_t json_string_max(std::size_t size) noexcept { return 6 * size + 2; }

// Writes `text` as a JSON string, quotes included, at `out` (room for json_string_max(text.size()) bytes) and
// returns the end of what it wrote. Malformed UTF-8 becomes U+FFFD as valid_utf8() does, then '"', '\\' and
// control characters are escaped as boost::json::serialize escapes them (\b \t \n \f \r, else \u00xx), so
// the bytes are those boost::json wrote from valid_utf8(text).
char* write_json_string(char* out, std::string_view text) noexcept;

// For comparing configured names with producers' names: ASCII letters and the Latin-1 letters of UTF-8
// (Å, Ä, Ö, É, …) to lower case, surrounding white space removed. Swedish time-type names ("Dölj i 1177")
// are matched so; a full Unicode case fold is not needed for them.
std::string fold_name(std::string_view text);

std::string_view trim(std::string_view text) noexcept;

}  // namespace bokade::view::detail
