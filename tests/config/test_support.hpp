#pragma once
// Helpers for the config tests: parse a snippet and look at the error for one key path.

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "bokade/config/config.hpp"

namespace bokade::config::test {

inline ConfigResult parse(std::string_view toml) { return parse_config(toml, "test.toml"); }

// All errors, one per line (for failure output).
inline std::string all_errors(const ConfigResult& result) {
  return result ? std::string("<parsed without errors>") : to_string(result.error());
}

// The message of the error at exactly `key_path`, or a description of what there was instead.
inline std::string error_at(const ConfigResult& result, std::string_view key_path) {
  if (result) return "<parsed without errors>";
  for (const auto& e : result.error()) {
    if (e.key_path == key_path) return e.message;
  }
  return "<no error at " + std::string(key_path) + "; got:\n" + all_errors(result) + ">";
}

// Parses `toml` and expects exactly one error, at `key_path`; returns its message.
inline std::string only_error(std::string_view toml, std::string_view key_path) {
  const auto result = parse(toml);
  INFO(all_errors(result));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().size() == 1);
  return error_at(result, key_path);
}

}  // namespace bokade::config::test
