#pragma once
// bokade-sim and a bokaded that follows it, both real processes on free loopback ports, for the
// benchmarks that measure the daemon as deployed (bench_refresh, bench_rss). Both are killed when the
// object goes away, also on failure and on Ctrl-C.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "bench_support.hpp"
#include "daemon_support.hpp"
#include "http_client.hpp"
#include "process.hpp"

namespace bokade::bench {

struct PlatformOptions {
  std::size_t persons = 10'000;
  std::uint64_t seed = 1;
  std::string latency = "*=0ms";
  double ei_rate = 200;          // batches per second at most (the simulator sends one batch at a time)
  std::size_t ei_batch = 1000;   // transactions per batch
  unsigned sim_threads = 1;
  unsigned daemon_threads = 2;
  std::string block_cache;       // empty: the daemon's default
  int source_concurrency = 256;  // [booking_system_defaults] for every booking system
  double source_rate = 100'000;
  std::filesystem::path dir;     // empty: a temporary directory
};

inline std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a.find_first_of(" *") != std::string::npos ? "'" + a + "'" : a;
  }
  return out;
}

class Platform {
 public:
  explicit Platform(PlatformOptions o) : o_(std::move(o)) {
    dir_ = o_.dir.empty() ? tmp_.path() : o_.dir / fmt::format("bench-platform-{}", ::getpid());
    std::filesystem::create_directories(dir_);
    const auto query_port = free_port();
    const auto subscriber = fmt::format(
        "http://127.0.0.1:{}/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21", query_port);
    sim_argv_ = {BOKADE_SIM_PATH,   "--listen",        "127.0.0.1:0",
                 "--ready-file",    (dir_ / "sim.ready").string(),
                 "--persons",       std::to_string(o_.persons),
                 "--seed",          std::to_string(o_.seed),
                 "--latency",       o_.latency,
                 "--subscriber",    subscriber,
                 "--ei-rate",       fmt::format("{}", o_.ei_rate),
                 "--ei-batch-size", std::to_string(o_.ei_batch),
                 "--threads",       std::to_string(o_.sim_threads),
                 "--log-level",     "warn"};
    sim_ = std::make_unique<test::Process>(sim_argv_, dir_ / "sim.log");
    sim_guard_ = std::make_unique<ChildGuard>(sim_->pid());
    if (!test::wait_for_file(dir_ / "sim.ready", std::chrono::seconds(60)))
      throw std::runtime_error("bokade-sim did not start: " + test::read_file(dir_ / "sim.log"));
    sim_address_ = test::json_field(test::read_file(dir_ / "sim.ready"), "address");

    config_ = fmt::format(R"([listen.query]
address = "127.0.0.1"
port = {}
[listen.admin]
address = "127.0.0.1"
port = 0
[storage]
data_dir = "{}"
{}
[vp]
url = "http://{}/vp"
[tak]
source = "http://{}/tak/export.json"
[engagement_index]
find_content_url = "http://{}/vp/itintegration/engagementindex/FindContent/1/rivtabp21"
[booking_system_defaults]
max_concurrency = {}
rate_per_second = {}
burst = {}
[logging]
level = "warn"
)",
                          query_port, (dir_ / "data").string(),
                          o_.block_cache.empty() ? "" : fmt::format("block_cache = \"{}\"", o_.block_cache),
                          sim_address_, sim_address_, sim_address_, o_.source_concurrency, o_.source_rate,
                          static_cast<long>(o_.source_rate));
    test::write_file(dir_ / "bokaded.toml", config_);
    daemon_argv_ = {BOKADED_PATH, "--config", (dir_ / "bokaded.toml").string(), "--ready-file",
                    (dir_ / "bokaded.ready").string(), "--threads", std::to_string(o_.daemon_threads)};
    daemon_ = std::make_unique<test::Process>(daemon_argv_, dir_ / "bokaded.log");
    daemon_guard_ = std::make_unique<ChildGuard>(daemon_->pid());
    if (!test::wait_for_file(dir_ / "bokaded.ready", std::chrono::seconds(30)))
      throw std::runtime_error("bokaded did not start: " + test::read_file(dir_ / "bokaded.log"));
    admin_ = test::json_field(test::read_file(dir_ / "bokaded.ready"), "admin");
    query_ = test::json_field(test::read_file(dir_ / "bokaded.ready"), "query");
    // No booking system is called before the TAK snapshot is loaded: wait for it before pushing.
    if (!test::eventually(
            [&] { return test::http_get(admin_, "/admin/sources").body.find("\"tak\"") != std::string::npos; },
            std::chrono::seconds(30)))
      throw std::runtime_error("bokaded did not load TAK: " + test::read_file(dir_ / "bokaded.log"));
  }

  ~Platform() {
    stop();
    if (!o_.dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  void stop() {
    for (auto* p : {daemon_.get(), sim_.get()}) {
      if (p && p->running()) {
        p->signal(SIGTERM);
        if (!p->wait(std::chrono::seconds(20))) p->signal(SIGKILL);
      }
    }
    daemon_.reset();
    sim_.reset();
    daemon_guard_.reset();
    sim_guard_.reset();
  }

  // Pushes the whole index to the daemon (the simulator's POST /control/ei/replay).
  void replay() {
    auto r = test::http_request(sim_address_, "POST", "/control/ei/replay");
    if (r.status != 202) throw std::runtime_error(fmt::format("replay: HTTP {} {}", r.status, r.body));
  }

  // Has the daemon reload its config file with `toml` appended (SIGHUP); returns once it says it succeeded.
  void reload_with(const std::string& toml) {
    const auto reloads = [&] {
      return test::metric_sample(metrics(), "bokade_config_reloads_total{result=\"ok\"}").value_or(-1.0);
    };
    const double before = reloads();
    test::write_file(dir_ / "bokaded.toml", config_ + toml);
    daemon_->signal(SIGHUP);
    if (!test::eventually([&] { return reloads() > before; }, std::chrono::seconds(10)))
      throw std::runtime_error("bokaded did not reload its config: " + test::read_file(dir_ / "bokaded.log"));
  }

  boost::json::object sim_json(const std::string& target) const { return get_json(sim_address_, target); }
  boost::json::object admin_json(const std::string& target) const { return get_json(admin_, target); }
  std::string metrics() const { return test::http_get(admin_, "/metrics").body; }

  // Lines of the daemon's log that hold `text`.
  std::size_t daemon_log_count(std::string_view text) const {
    std::ifstream in(dir_ / "bokaded.log");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) n += line.find(text) != std::string::npos ? 1 : 0;
    return n;
  }
  // What the daemon dropped or refused under load, from its log.
  void print_dropped() const {
    fmt::print("  daemon log: {} 'slice not stored' (a refresh's result dropped, write queue full), {} "
               "'ProcessNotification refused' (SOAP fault, EI redelivers)\n",
               daemon_log_count("slice not stored"), daemon_log_count("ProcessNotification refused"));
  }

  const std::string& query_address() const { return query_; }
  const std::string& sim_address() const { return sim_address_; }
  pid_t daemon_pid() const { return daemon_->pid(); }
  pid_t sim_pid() const { return sim_->pid(); }
  const std::filesystem::path& dir() const { return dir_; }

  // How to run the same two processes by hand.
  void print_commands() const {
    fmt::print("  simulator : {}\n", join(sim_argv_));
    fmt::print("  daemon    : {}\n", join(daemon_argv_));
    fmt::print("  replay    : curl -X POST http://{}/control/ei/replay\n", sim_address_);
    fmt::print("  daemon config ({}):\n", (dir_ / "bokaded.toml").string());
    std::string indented;
    for (char c : config_) {
      if (indented.empty() || indented.back() == '\n') indented += "    ";
      indented += c;
    }
    fmt::print("{}", indented);
  }

 private:
  static boost::json::object get_json(const std::string& address, const std::string& target) {
    auto r = test::http_get(address, target);
    if (r.status != 200) throw std::runtime_error(fmt::format("GET {}{}: HTTP {} {}", address, target, r.status, r.error));
    return boost::json::parse(r.body).as_object();
  }

  PlatformOptions o_;
  test::TempDir tmp_;
  std::filesystem::path dir_;
  std::vector<std::string> sim_argv_, daemon_argv_;
  std::string config_;
  std::unique_ptr<test::Process> sim_, daemon_;
  std::unique_ptr<ChildGuard> sim_guard_, daemon_guard_;
  std::string sim_address_, admin_, query_;
};

inline std::uint64_t as_u64(const boost::json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64()) return static_cast<std::uint64_t>(v.as_int64());
  if (v.is_double()) return static_cast<std::uint64_t>(v.as_double());
  return 0;
}

// Common command-line flags of the platform benchmarks.
inline bool parse_platform_flag(const std::string& a, const std::function<std::string()>& next, PlatformOptions& o) {
  if (a == "--persons") o.persons = std::stoul(next());
  else if (a == "--seed") o.seed = std::stoull(next());
  else if (a == "--latency") o.latency = next();
  else if (a == "--ei-rate") o.ei_rate = std::stod(next());
  else if (a == "--ei-batch-size") o.ei_batch = std::stoul(next());
  else if (a == "--sim-threads") o.sim_threads = static_cast<unsigned>(std::stoul(next()));
  else if (a == "--daemon-threads") o.daemon_threads = static_cast<unsigned>(std::stoul(next()));
  else if (a == "--block-cache") o.block_cache = next();
  else if (a == "--source-concurrency") o.source_concurrency = std::stoi(next());
  else if (a == "--source-rate") o.source_rate = std::stod(next());
  else if (a == "--dir") o.dir = next();
  else return false;
  return true;
}

inline constexpr const char* platform_flags_help =
    "  --persons N (10000) --seed S (1) --latency SPEC ('*=0ms') --ei-rate R (200) --ei-batch-size B (1000)\n"
    "  --sim-threads T (1) --daemon-threads T (2) --block-cache SIZE (daemon default)\n"
    "  --source-concurrency C (256) --source-rate R (100000): [booking_system_defaults] for every system\n"
    "  --dir DIR (where the databases go; default the system temp dir; removed at the end)\n";

}  // namespace bokade::bench
