#pragma once
// Test support: one bokaded started as a real process on free loopback ports.

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "process.hpp"

namespace bokade::test {

inline std::string daemon_config(const std::filesystem::path& data_dir, std::string_view log_level = "info") {
  return fmt::format(R"(
[listen.query]
address = "127.0.0.1"
port = 0

[listen.admin]
address = "127.0.0.1"
port = 0

[storage]
data_dir = "{}"
block_cache = "8MiB"

[logging]
level = "{}"

# No platform in these tests: port 9 on loopback refuses at once (the defaults would reach any
# bokade-sim a developer runs on 9090).
[engagement_index]
find_content_url = "http://127.0.0.1:9/vp/itintegration/engagementindex/FindContent/1/rivtabp21"
[vp]
url = "http://127.0.0.1:9/vp"
[tak]
source = "http://127.0.0.1:9/tak/export.json"
)",
                     data_dir.string(), log_level);
}

inline std::string json_field(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\":\"");
  if (k == std::string::npos) return {};
  const auto start = k + key.size() + 4;
  return json.substr(start, json.find('"', start) - start);
}

// One bokaded started on free loopback ports with its own data directory.
struct Daemon {
  explicit Daemon(const std::filesystem::path& dir, const std::string& config, const std::string& name = "d")
      : config_path(dir / (name + ".toml")), ready_path(dir / (name + ".ready")), log_path(dir / (name + ".log")) {
    write_file(config_path, config);
    process = std::make_unique<Process>(
        std::vector<std::string>{BOKADED_PATH, "--config", config_path.string(), "--ready-file", ready_path.string()},
        log_path);
  }
  bool wait_ready() {
    if (!wait_for_file(ready_path, std::chrono::seconds(15))) return false;
    const auto ready = read_file(ready_path);
    admin = json_field(ready, "admin");
    query = json_field(ready, "query");
    return !admin.empty() && !query.empty();
  }
  std::string log() const { return read_file(log_path); }

  std::filesystem::path config_path, ready_path, log_path;
  std::unique_ptr<Process> process;
  std::string admin, query;
};


}  // namespace bokade::test
