#pragma once
// App: where every part of bokaded is built and wired, and its lifecycle (start, reload, drain, stop).

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "bokade/config/config.hpp"

namespace bokade::app {

std::string_view version() noexcept;

struct AppOptions {
  // The file the configuration came from; SIGHUP reloads it. Empty = the embedded default (no reload).
  std::optional<std::filesystem::path> config_path;
  // Written (atomically) once every listener is bound: {"query":"127.0.0.1:8080","admin":"127.0.0.1:8081","pid":…}.
  std::optional<std::filesystem::path> ready_file;
  unsigned threads = 2;
  std::chrono::milliseconds drain_timeout{10'000};
};

class App {
 public:
  App(config::Config config, AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Runs until SIGTERM or SIGINT; returns the process exit status (0 after a clean stop,
  // 1 when start-up failed: the reason is logged).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bokade::app
