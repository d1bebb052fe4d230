#include "bokade/core/person_id.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace bokade {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

bool is_reserve_letter(char c) {
  switch (c) {
    case 'p': case 'P': case 't': case 'T': case 'f': case 'F': return true;
    default: return false;
  }
}

// Validates the date part of a 12-digit id; returns the kind (personnummer or samordningsnummer).
Expected<PersonIdKind> check_date(int year, int month, int day) {
  if (month < 1 || month > 12) return fail(fmt::format("month {:02} is not 01–12", month));
  PersonIdKind kind = PersonIdKind::personnummer;
  if (day > 60) {
    kind = PersonIdKind::samordningsnummer;
    day -= 60;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (day < 1 || !ymd.ok()) {
    return fail(fmt::format("day {:02} does not exist in {:04}-{:02}", day, year, month));
  }
  return kind;
}

}  // namespace

std::string_view to_string(PersonIdKind kind) {
  switch (kind) {
    case PersonIdKind::personnummer: return "personnummer";
    case PersonIdKind::samordningsnummer: return "samordningsnummer";
    case PersonIdKind::reservnummer: return "reservnummer";
  }
  return "unknown";
}

bool luhn_valid(std::string_view ten) {
  if (ten.size() != 10 || !all_digits(ten)) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    int d = ten[i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

Expected<PersonId> PersonId::parse(std::string_view text, std::chrono::year_month_day today) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return fail("person id is empty");

  std::string twelve;
  switch (text.size()) {
    case 12:  // YYYYMMDDNNNC, or a reservnummer with a letter at position 9
      twelve = std::string(text);
      break;
    case 13: {  // YYYYMMDD-NNNC
      if (text[8] != '-' && text[8] != '+') return fail("a 13-character person id needs '-' after YYYYMMDD");
      twelve = std::string(text.substr(0, 8)) + std::string(text.substr(9));
      break;
    }
    case 10:
    case 11: {  // YYMMDD[-+]NNNC or YYMMDDNNNC
      bool hundred_plus = false;
      std::string ten;
      if (text.size() == 11) {
        if (text[6] != '-' && text[6] != '+') return fail("a 10-digit person id needs '-' or '+' after YYMMDD");
        hundred_plus = text[6] == '+';
        ten = std::string(text.substr(0, 6)) + std::string(text.substr(7));
      } else {
        ten = std::string(text);
      }
      if (!all_digits(ten)) return fail("a 10-digit person id must be digits (with '-' or '+')");
      const int yy = to_int(std::string_view(ten).substr(0, 2));
      const int month = to_int(std::string_view(ten).substr(2, 2));
      int day = to_int(std::string_view(ten).substr(4, 2));
      if (day > 60) day -= 60;
      const int this_year = static_cast<int>(today.year());
      int year = (this_year / 100) * 100 + yy;
      // The century that puts the birth date on or before today.
      auto after_today = [&](int y) {
        if (y != this_year) return y > this_year;
        const int m = static_cast<int>(static_cast<unsigned>(today.month()));
        const int d = static_cast<int>(static_cast<unsigned>(today.day()));
        return month > m || (month == m && day > d);
      };
      if (after_today(year)) year -= 100;
      if (hundred_plus) year -= 100;  // '+': 100 years or older
      twelve = fmt::format("{:02}{}", year / 100, ten);
      break;
    }
    default:
      return fail(fmt::format("person id has {} characters; expected 12 (YYYYMMDDNNNC), 13 (YYYYMMDD-NNNC) or 10–11 "
                              "(YYMMDD-NNNC)",
                              text.size()));
  }

  // Reservnummer: the schema pattern allows p/t/f at position 9; the id is opaque.
  if (is_reserve_letter(twelve[8])) {
    if (!all_digits(std::string_view(twelve).substr(0, 8)) || !all_digits(std::string_view(twelve).substr(9))) {
      return fail("a reservnummer must be 8 digits, a letter p, t or f, and 3 digits");
    }
    twelve[8] = static_cast<char>(std::toupper(static_cast<unsigned char>(twelve[8])));
    return PersonId(std::move(twelve), PersonIdKind::reservnummer);
  }
  if (!all_digits(twelve)) return fail("person id must be digits (a reservnummer may have p, t or f at position 9)");

  const int year = to_int(std::string_view(twelve).substr(0, 4));
  const int month = to_int(std::string_view(twelve).substr(4, 2));
  const int day = to_int(std::string_view(twelve).substr(6, 2));
  // The century digits are outside the checksum and are not held to a plausible range: the national
  // platform's own test persons include 121212121212 ("Tolvan" in the aggregating service's test data,
  // ../shared/rivta/agp/patients.csv), which a 12-digit reading puts in the year 1212.
  auto kind = check_date(year, month, day);
  if (!kind) return Unexpected<Error>{kind.error()};
  if (!luhn_valid(std::string_view(twelve).substr(2))) return fail("checksum digit is wrong (Luhn)");
  return PersonId(std::move(twelve), *kind);
}

Expected<PersonId> PersonId::parse(std::string_view text) {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return parse(text, std::chrono::year_month_day{now});
}

std::string PersonId::masked() const { return id_.substr(0, 8) + "-****"; }

std::string PersonId::keyed_hash(std::string_view key) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(id_.data()),
       id_.size(), md.data(), &len);
  std::string out;
  out.reserve(16);
  for (unsigned int i = 0; i < 8 && i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

}  // namespace bokade
