#pragma once
// Test support: run a real program as a separate process, its output captured in files.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <thread>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace bokade::test {

// A fresh directory under /tmp, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class Process {
 public:
  // Starts `argv[0]` with the arguments; stdout and stderr go to `log_file` (appended).
  Process(std::vector<std::string> argv, const std::filesystem::path& log_file);
  ~Process();  // kills the process if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Waits up to `timeout` for the exit; returns the exit status (128 + signal if killed), or nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a command to completion; returns its exit status and what it printed (stdout and stderr).
struct RunResult {
  int status = -1;
  std::string output;
};
RunResult run(std::vector<std::string> argv, const std::string& stdin_text = {});

// A loopback TCP port free right now (another process could take it before it is used; tests use it
// only where a port must be known before the process that binds it starts).
std::uint16_t free_port();

std::string read_file(const std::filesystem::path& p);
// The value of `series` (a metric name with its labels as the exposition writes them, e.g.
// `bokade_view_cache_lookups_total{result="hit"}`) in a Prometheus text exposition, or nullopt.
std::optional<double> metric_sample(const std::string& exposition, const std::string& series);
void write_file(const std::filesystem::path& p, const std::string& content);
// Waits until `p` exists and is non-empty, or the timeout passes.
bool wait_for_file(const std::filesystem::path& p, std::chrono::milliseconds timeout);
// Polls `pred` every 20 ms until it is true or the timeout passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace bokade::test
