#pragma once
// Internal: checks of single values used by validate.cpp. Each returns the problem in words, or nullopt.

#include <optional>
#include <string>
#include <string_view>

namespace bokade::config::detail {

// An absolute http:// or https:// URL with a host and no user credentials.
std::optional<std::string> url_problem(std::string_view url);
// An IPv4 or IPv6 literal (listeners bind to addresses, not names).
std::optional<std::string> address_problem(std::string_view address);
bool is_loopback(std::string_view address);
// A file we can open for reading.
std::optional<std::string> unreadable_file(const std::string& path);
// 10 digits with a valid Luhn check digit.
std::optional<std::string> organisation_number_problem(std::string_view number);

}  // namespace bokade::config::detail
