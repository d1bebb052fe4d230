#pragma once
// Shared by the benchmarks that drive real processes or generate large worlds: the command line that
// produced a figure, free loopback ports, killing every started process when the benchmark is
// interrupted, Prometheus text sums, /proc memory figures and personnummer beyond the test helper's
// 28,000.

#include "process.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <fmt/format.h>

namespace bokade::bench {

// The command that produced the figures, as typed (arguments with spaces quoted).
inline std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i) out += ' ';
    if (a.find_first_of(" \t'\"*") != std::string_view::npos) {
      out += '\'';
      out += a;
      out += '\'';
    } else {
      out += a;
    }
  }
  return out;
}

using bokade::test::free_port;

// Child processes to kill when the benchmark is interrupted (SIGINT, SIGTERM). Normal exits and
// exceptions kill them through test::Process's destructor; this covers Ctrl-C.
namespace detail {
inline std::array<std::atomic<pid_t>, 8> children{};
inline void on_signal(int signo) {
  for (auto& c : children) {
    const pid_t pid = c.load();
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  ::_exit(128 + signo);
}
}  // namespace detail

inline void kill_children_on_interrupt() {
  std::signal(SIGINT, detail::on_signal);
  std::signal(SIGTERM, detail::on_signal);
  std::signal(SIGHUP, detail::on_signal);
}

// Registered for the lifetime of the object.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) {
    for (auto& c : detail::children) {
      pid_t expected = 0;
      if (c.compare_exchange_strong(expected, pid)) {
        slot_ = &c;
        return;
      }
    }
  }
  ~ChildGuard() {
    if (slot_) slot_->store(0);
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;

 private:
  std::atomic<pid_t>* slot_ = nullptr;
};

// The sum over all label sets of one metric family in Prometheus text format, optionally only the
// series whose labels contain `label_filter` (e.g. `outcome="ok"`).
inline double metric_sum(const std::string& text, std::string_view name, std::string_view label_filter = {}) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0) continue;
    if (line.size() <= name.size() || (line[name.size()] != '{' && line[name.size()] != ' ')) continue;
    if (!label_filter.empty()) {
      const auto close = line.find('}');
      if (close == std::string::npos || line.substr(0, close).find(label_filter) == std::string::npos) continue;
    }
    const auto space = line.rfind(' ');
    try {
      sum += std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return sum;
}

// Per value of `label` (e.g. outcome), the sum of one metric family.
inline std::map<std::string, double> metric_by_label(const std::string& text, std::string_view name,
                                                     std::string_view label) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  const std::string needle = std::string(label) + "=\"";
  while (std::getline(in, line)) {
    if (line.compare(0, name.size() + 1, std::string(name) + "{") != 0) continue;
    const auto at = line.find(needle);
    if (at == std::string::npos) continue;
    const auto start = at + needle.size();
    const auto value = line.substr(start, line.find('"', start) - start);
    try {
      out[value] += std::stod(line.substr(line.rfind(' ') + 1));
    } catch (...) {
    }
  }
  return out;
}

// VmRSS and VmHWM of a process, in bytes (nullopt when it is gone).
struct Memory {
  std::uint64_t rss = 0;
  std::uint64_t hwm = 0;
};
inline std::optional<Memory> memory_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  Memory m;
  std::string line;
  bool any = false;
  while (std::getline(in, line)) {
    auto field = [&](std::string_view key, std::uint64_t& out) {
      if (line.compare(0, key.size(), key) == 0) {
        out = std::stoull(line.substr(key.size())) * 1024;  // "VmRSS:   123456 kB"
        any = true;
      }
    };
    field("VmRSS:", m.rss);
    field("VmHWM:", m.hwm);
  }
  if (!any) return std::nullopt;
  return m;
}

// CPU time (user + system) a process has used so far, in seconds.
inline double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state; utime is 14, stime 15
    if (i == 14 || i == 15) ticks += std::stod(f);
    if (i == 15) break;
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

inline double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// A valid personnummer for any n below 1000 × the days from 1930 to now: born on day n / 1000 counted
// from 1930-01-01, serial number n % 1000, Luhn check digit.
inline std::string personnummer(std::uint64_t n) {
  using namespace std::chrono;
  const year_month_day d{sys_days{year{1930} / January / 1} + days{static_cast<int>(n / 1000)}};
  const int y = static_cast<int>(d.year());
  const std::string ten = fmt::format("{:02}{:02}{:02}{:03}", y % 100, static_cast<unsigned>(d.month()),
                                      static_cast<unsigned>(d.day()), n % 1000);
  int sum = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    int digit = ten[i] - '0';
    if (i % 2 == 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return fmt::format("{:02}", y / 100) + ten + std::to_string((10 - sum % 10) % 10);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace bokade::bench
