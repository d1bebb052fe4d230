// Keeps identities of persons out of error texts: a fault string from a producer may echo the
// personnummer it was asked about, and error texts end up in logs and ProcessingStatus headers.

#include <string>
#include <string_view>

#include "bokade/core/person_id.hpp"
#include "bokade/rivta/fault.hpp"

namespace bokade::rivta {

namespace {
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
std::size_t digits_at(std::string_view s, std::size_t i) noexcept {
  std::size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n])) ++n;
  return n;
}
bool boundary_at(std::string_view s, std::size_t i) noexcept { return i >= s.size() || !is_alnum(s[i]); }
bool reserve_letter(char c) noexcept {
  return c == 'p' || c == 'P' || c == 't' || c == 'T' || c == 'f' || c == 'F';
}

// Length of the person identity starting at s[i], or 0.
std::size_t person_id_length(std::string_view s, std::size_t i) {
  const std::size_t d = digits_at(s, i);
  const std::size_t end = i + d;
  if (d == 12 && boundary_at(s, end)) return 12;
  if (d == 10 && boundary_at(s, end) && luhn_valid(s.substr(i, 10))) return 10;
  if ((d == 6 || d == 8) && end < s.size() && (s[end] == '-' || s[end] == '+') && digits_at(s, end + 1) == 4 &&
      boundary_at(s, end + 5)) {
    return d + 5;
  }
  if (d == 8 && end < s.size() && reserve_letter(s[end]) && digits_at(s, end + 1) == 3 && boundary_at(s, end + 4)) {
    return 12;
  }
  return 0;
}
}  // namespace

std::string redact_person_ids(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_digit(text[i]) && (i == 0 || !is_alnum(text[i - 1]))) {
      if (const std::size_t len = person_id_length(text, i); len != 0) {
        out += "[redacted]";
        i += len;
        continue;
      }
      const std::size_t run = digits_at(text, i);
      out.append(text.substr(i, run));
      i += run;
      continue;
    }
    out += text[i++];
  }
  return out;
}

}  // namespace bokade::rivta
