// bench_refresh: refreshes/s and source calls/s of a real bokaded against booking systems that answer
// at once (bokade-sim --latency '*=0ms'). Prints figures; never fails on a figure.
//
//   bench_refresh [platform flags, see --help] [--sample-ms 250] [--timeout 600]
//
// bokade-sim (a world of --persons persons) and bokaded run on free loopback ports. Once the daemon has
// loaded TAK, the simulator replays its whole engagement index to the daemon's ProcessNotification
// endpoint; every stored batch queues a refresh of each changed person (app.cpp), one
// GetSubjectOfCareSchedule per distinct logical address, through the simulator's VP. The benchmark
// samples the daemon's /metrics (bokade_refreshes_total, bokade_source_calls_total) and /admin/sources
// until the replay is delivered and the refresh queue is empty, then reports:
//   steady  the rate between the samples where 10 % and 90 % of all refreshes had completed (the ramp at
//           the start and the tail at the end left out);
//   overall all refreshes / time from the replay request to the last completed refresh.
// Booking-system limits are raised ([booking_system_defaults], --source-rate, --source-concurrency) so
// that the daemon's own capacity is measured, not its configured rate limits. The simulator and the
// daemon share the machine; the CPU seconds each used in the steady window are printed to show which
// one limits the figure.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_platform.hpp"

using namespace bokade;
using namespace bokade::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Sample {
  double t = 0;  // seconds since the replay request
  double refreshes = 0;
  double calls = 0;
  double calls_ok = 0;
  double ei_transactions = 0;
  std::uint64_t waiting = 0, running = 0, refused = 0;
  std::uint64_t replay_remaining = 0, queued = 0;
  double daemon_cpu = 0, sim_cpu = 0;
};

Sample take(const Platform& p, Clock::time_point start) {
  Sample s;
  s.t = seconds_since(start);
  const auto m = p.metrics();
  s.refreshes = metric_sum(m, "bokade_refreshes_total");
  s.calls = metric_sum(m, "bokade_source_calls_total");
  s.calls_ok = metric_sum(m, "bokade_source_calls_total", "outcome=\"ok\"");
  s.ei_transactions = metric_sum(m, "bokade_ei_transactions_total");
  const auto q = p.admin_json("/admin/sources").at("refreshQueue").as_object();
  s.waiting = as_u64(q.at("waiting"));
  s.running = as_u64(q.at("running"));
  s.refused = as_u64(q.at("refused"));
  const auto ei = p.sim_json("/control/ei/stats");
  s.replay_remaining = as_u64(ei.at("replay_remaining"));
  s.queued = as_u64(ei.at("queued"));
  s.daemon_cpu = cpu_seconds(p.daemon_pid());
  s.sim_cpu = cpu_seconds(p.sim_pid());
  return s;
}

const Sample& first_reaching(const std::vector<Sample>& samples, double value) {
  for (const auto& s : samples) {
    if (s.refreshes >= value) return s;
  }
  return samples.back();
}

}  // namespace

int main(int argc, char** argv) try {
  kill_children_on_interrupt();
  PlatformOptions po;
  int sample_ms = 250;
  double timeout = 600;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (parse_platform_flag(a, next, po)) continue;
    if (a == "--sample-ms") sample_ms = std::stoi(next());
    else if (a == "--timeout") timeout = std::stod(next());
    else if (a == "-h" || a == "--help") {
      std::printf("usage: bench_refresh [flags]\n%s  --sample-ms MS (250) --timeout SECONDS (600)\n",
                  platform_flags_help);
      return 0;
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }

  Platform p(po);
  fmt::print("bench_refresh: {} persons, latency {}, booking systems {} concurrent / {}/s each\n", po.persons,
             po.latency, po.source_concurrency, po.source_rate);
  p.print_commands();
  std::fflush(stdout);

  const auto start = Clock::now();
  std::vector<Sample> samples{take(p, start)};
  p.replay();
  int settled = 0;
  while (seconds_since(start) < timeout) {
    std::this_thread::sleep_for(std::chrono::milliseconds(sample_ms));
    samples.push_back(take(p, start));
    const auto& s = samples.back();
    const auto& prev = samples[samples.size() - 2];
    const bool idle = s.replay_remaining == 0 && s.queued == 0 && s.waiting == 0 && s.running == 0 &&
                      s.refreshes == prev.refreshes && s.ei_transactions == prev.ei_transactions;
    settled = idle ? settled + 1 : 0;
    if (settled >= 4) break;
  }
  const bool finished = settled >= 4;
  const auto& last = samples.back();
  const double total = last.refreshes - samples.front().refreshes;
  if (total <= 0) throw std::runtime_error("no refresh completed; see " + (p.dir() / "bokaded.log").string());
  const auto& a = first_reaching(samples, samples.front().refreshes + 0.1 * total);
  const auto& b = first_reaching(samples, samples.front().refreshes + 0.9 * total);
  double done_at = last.t;
  for (const auto& s : samples) {
    if (s.refreshes >= last.refreshes) {
      done_at = s.t;
      break;
    }
  }
  double ingest_done = last.t;
  for (const auto& s : samples) {
    if (s.replay_remaining == 0 && s.queued == 0 && s.ei_transactions >= last.ei_transactions) {
      ingest_done = s.t;
      break;
    }
  }
  const double window = b.t - a.t;
  const auto final_metrics = p.metrics();

  fmt::print("result{}:\n", finished ? "" : fmt::format(" (NOT finished within {} s)", timeout));
  fmt::print("  engagements ingested      : {:.0f} transactions, replay delivered after {:.1f} s\n",
             last.ei_transactions - samples.front().ei_transactions, ingest_done);
  fmt::print("  refreshes completed       : {:.0f} ({} refused by the full refresh queue)\n", total, last.refused);
  fmt::print("  source calls              : {:.0f}, of which ok {:.0f}\n", last.calls - samples.front().calls,
             last.calls_ok - samples.front().calls_ok);
  for (const auto& [outcome, n] : metric_by_label(final_metrics, "bokade_source_calls_total", "outcome"))
    if (n > 0) fmt::print("      outcome {:<16}: {:.0f}\n", outcome, n);
  for (const auto& [reason, n] : metric_by_label(final_metrics, "bokade_source_calls_skipped_total", "reason"))
    if (n > 0) fmt::print("      skipped {:<16}: {:.0f}\n", reason, n);
  if (window > 0) {
    fmt::print("  steady (10 %..90 %, {:.1f} s .. {:.1f} s):\n", a.t, b.t);
    fmt::print("    refreshes/s             : {:.0f}\n", (b.refreshes - a.refreshes) / window);
    fmt::print("    source calls/s          : {:.0f} (ok {:.0f}/s)\n", (b.calls - a.calls) / window,
               (b.calls_ok - a.calls_ok) / window);
    fmt::print("    CPU used                : bokaded {:.2f} cores, bokade-sim {:.2f} cores (of 2)\n",
               (b.daemon_cpu - a.daemon_cpu) / window, (b.sim_cpu - a.sim_cpu) / window);
  } else {
    fmt::print("  steady window too short to measure (raise --persons)\n");
  }
  fmt::print("  overall                   : {:.0f} refreshes/s, {:.0f} calls/s over {:.1f} s (replay request to "
             "last refresh)\n",
             total / done_at, (last.calls - samples.front().calls) / done_at, done_at);
  if (auto m = memory_of(p.daemon_pid())) fmt::print("  bokaded VmRSS {:.0f} MiB, VmHWM {:.0f} MiB\n", mib(m->rss), mib(m->hwm));
  p.print_dropped();
  fmt::print("command: {}\n", command_line(argc, argv));
  p.stop();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_refresh: %s\n", e.what());
  return 1;
}
