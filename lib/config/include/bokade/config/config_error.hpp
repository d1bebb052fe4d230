#pragma once
// One configuration error: which key, what constraint it breaks, and where in which file.

#include <string>
#include <vector>

#include <fmt/format.h>

namespace bokade::config {

struct ConfigError {
  std::string key_path;  // "refresh.max_concurrency", "booking_systems[2].rate_per_second"; empty = the whole file
  std::string message;   // the broken constraint, e.g. "must be between 1 and 10000 (got 0)"
  std::string source;    // file or source name, e.g. "bokaded.toml"; may be empty
  int line = 0;          // 1-based; 0 = unknown (e.g. an error about a key the file left out)
  int column = 0;
  bool operator==(const ConfigError&) const = default;
};

// "bokaded.toml:12:20: refresh.max_concurrency: must be between 1 and 10000 (got 0)";
// without a known line: "bokaded.toml: refresh.max_concurrency: …".
std::string to_string(const ConfigError& error);

// One error per line, for stderr and the log.
std::string to_string(const std::vector<ConfigError>& errors);

}  // namespace bokade::config

template <>
struct fmt::formatter<bokade::config::ConfigError> : fmt::formatter<std::string> {
  template <class Context>
  auto format(const bokade::config::ConfigError& e, Context& ctx) const {
    return fmt::formatter<std::string>::format(bokade::config::to_string(e), ctx);
  }
};
