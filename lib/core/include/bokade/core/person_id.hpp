#pragma once
// PersonId: the identity of a Swedish citizen or resident as the national platform carries it
// (personnummer, samordningsnummer, reservnummer), always held in its 12-character canonical form.
//
// A PersonId must never reach a log line or a metric label: use masked() or keyed_hash().

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bokade/core/expected.hpp"

namespace bokade {

enum class PersonIdKind : std::uint8_t {
  personnummer,       // YYYYMMDDNNNC, valid date, Luhn checksum
  samordningsnummer,  // as personnummer with day + 60
  reservnummer,       // a letter (p, t or f) at position 9, as the schema pattern allows; opaque, no checksum
};

std::string_view to_string(PersonIdKind kind);

class PersonId {
 public:
  // Accepts "YYYYMMDDNNNC", "YYYYMMDD-NNNC", "YYMMDD-NNNC", "YYMMDD+NNNC" and "YYMMDDNNNC".
  // For 10-digit forms the century is the one that puts the birth date on or before `today`;
  // `+` means the person is 100 years or older. Reservnummer are accepted only in 12-character form.
  static Expected<PersonId> parse(std::string_view text, std::chrono::year_month_day today);
  // As above with today's date (UTC).
  static Expected<PersonId> parse(std::string_view text);

  // The canonical 12-character form: digits, with an upper-case letter at position 9 for reservnummer.
  [[nodiscard]] const std::string& str() const noexcept { return id_; }
  [[nodiscard]] PersonIdKind kind() const noexcept { return kind_; }

  // "19121212-****": the birth date stays (useful when reading logs), the rest is hidden.
  [[nodiscard]] std::string masked() const;
  // A short keyed hash (HMAC-SHA256, 16 hex digits) to correlate log lines without revealing the id.
  [[nodiscard]] std::string keyed_hash(std::string_view key) const;

  friend bool operator==(const PersonId&, const PersonId&) = default;
  friend auto operator<=>(const PersonId&, const PersonId&) = default;

 private:
  PersonId(std::string id, PersonIdKind kind) : id_(std::move(id)), kind_(kind) {}
  std::string id_;
  PersonIdKind kind_ = PersonIdKind::personnummer;
};

// The Luhn (mod 10) check over the 10 digits YYMMDDNNNC.
bool luhn_valid(std::string_view ten_digits);

}  // namespace bokade

template <>
struct std::hash<bokade::PersonId> {
  std::size_t operator()(const bokade::PersonId& p) const noexcept { return std::hash<std::string>{}(p.str()); }
};
