#include "checks.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace bokade::config::detail {

std::optional<std::string> url_problem(std::string_view url) {
  if (url.empty()) return "is empty; an http:// or https:// URL is required";
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= ' ')
      return fmt::format("must not contain spaces or control characters (got \"{}\")", url);
  }
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return fmt::format("must be an http:// or https:// URL (got \"{}\")", url);
  const auto scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return fmt::format("must use the scheme http or https (got \"{}\")", scheme);
  }
  auto rest = url.substr(scheme_end + 3);
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "must not carry user credentials (user:password@); use client certificates";
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [IPv6]:port
    const auto close = host.find(']');
    if (close == std::string_view::npos) return fmt::format("has an unterminated IPv6 address (got \"{}\")", url);
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':') return fmt::format("has a bad host (got \"{}\")", url);
    if (!port.empty()) port.remove_prefix(1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return fmt::format("has no host (got \"{}\")", url);
  if (authority.size() != host.size()) {  // a port was written
    unsigned value = 0;
    bool ok = !port.empty() && port.size() <= 5;
    for (const char c : port) {
      if (c < '0' || c > '9')
        ok = false;
      else
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok || value == 0 || value > 65535) return fmt::format("has a bad port \"{}\" (1 to 65535)", port);
  }
  return std::nullopt;
}

std::optional<std::string> address_problem(std::string_view address) {
  const std::string text(address);
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1) {
    return std::nullopt;
  }
  return fmt::format("must be an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1 (got \"{}\")", address);
}

bool is_loopback(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::optional<std::string> unreadable_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return fmt::format("cannot read \"{}\": no such file", path);
  if (std::filesystem::is_directory(status)) return fmt::format("cannot read \"{}\": it is a directory", path);
  std::ifstream file(path, std::ios::binary);
  if (!file) return fmt::format("cannot read \"{}\": {}", path, std::strerror(errno));
  return std::nullopt;
}

std::optional<std::string> organisation_number_problem(std::string_view number) {
  if (number.size() != 10 || number.find_first_not_of("0123456789") != std::string_view::npos) {
    return fmt::format("must be 10 digits without a dash, e.g. \"2321000016\" (got \"{}\")", number);
  }
  int sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    int digit = number[i] - '0';
    if (i % 2 == 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  if (sum % 10 != 0) return fmt::format("has a wrong check digit (Luhn) (got \"{}\")", number);
  return std::nullopt;
}

}  // namespace bokade::config::detail
