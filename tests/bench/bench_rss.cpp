// bench_rss: the memory of a real bokaded that has indexed N persons (goal: VmRSS <= 512 MiB for
// 1,000,000 persons with the default block cache). Prints figures; never fails on a figure.
//
//   bench_rss [platform flags, see --help; --persons defaults to 1000000 here] [--refresh-seconds 60]
//             [--timeout 3600]
//
// bokade-sim (a world of --persons persons, booking systems answering at once) and bokaded (the default
// block cache unless --block-cache) run on free loopback ports. Once the daemon has loaded TAK, the
// simulator replays its whole engagement index to the daemon's ProcessNotification endpoint at up to
// --ei-rate batches of --ei-batch-size. While it is delivered the daemon also refreshes the changed
// persons (its refresh queue holds at most 100,000; the rest are refused and counted). VmRSS and
// VmHWM of the daemon are read from /proc/<pid>/status:
//   idle     after start-up and TAK load, before the replay;
//   ingest   when the whole index is delivered and acknowledged (the refreshes it queued still running);
//   refresh  after a bounded refresh phase: until the refresh queue is empty or --refresh-seconds passed.
// VmHWM is the peak over the whole run so far. The largest VmRSS seen in 1-second samples is printed too.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "bench_platform.hpp"

using namespace bokade;
using namespace bokade::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct State {
  double t = 0;
  Memory memory;
  double ei_transactions = 0;
  double refreshes = 0;
  double calls = 0;
  double engagement_keys = 0;
  double store_bytes = 0;
  std::uint64_t replay_remaining = 0, queued = 0, awaiting_redelivery = 0, redeliveries = 0;
  std::uint64_t waiting = 0, running = 0, refused = 0;
};

State take(const Platform& p, Clock::time_point start) {
  State s;
  s.t = seconds_since(start);
  if (auto m = memory_of(p.daemon_pid())) s.memory = *m;
  else throw std::runtime_error("bokaded is gone; see " + (p.dir() / "bokaded.log").string());
  const auto m = p.metrics();
  s.ei_transactions = metric_sum(m, "bokade_ei_transactions_total");
  s.refreshes = metric_sum(m, "bokade_refreshes_total");
  s.calls = metric_sum(m, "bokade_source_calls_total");
  s.engagement_keys = metric_sum(m, "bokade_store_keys", "column_family=\"engagements\"");
  s.store_bytes = metric_sum(m, "bokade_store_bytes");
  const auto ei = p.sim_json("/control/ei/stats");
  s.replay_remaining = as_u64(ei.at("replay_remaining"));
  s.queued = as_u64(ei.at("queued"));
  s.awaiting_redelivery = as_u64(ei.at("awaiting_redelivery"));
  s.redeliveries = as_u64(ei.at("redeliveries"));
  const auto q = p.admin_json("/admin/sources").at("refreshQueue").as_object();
  s.waiting = as_u64(q.at("waiting"));
  s.running = as_u64(q.at("running"));
  s.refused = as_u64(q.at("refused"));
  return s;
}

void report(const char* stage, const State& s) {
  fmt::print("  {:<8} t={:>7.1f} s  VmRSS {:>6.0f} MiB  VmHWM {:>6.0f} MiB | engagement transactions {:.0f}, "
             "store keys (engagements, estimate) {:.0f}, store {:.0f} MiB | refreshes {:.0f}, calls {:.0f}, "
             "refresh queue waiting {} refused {}\n",
             stage, s.t, mib(s.memory.rss), mib(s.memory.hwm), s.ei_transactions, s.engagement_keys,
             s.store_bytes / (1024.0 * 1024.0), s.refreshes, s.calls, s.waiting, s.refused);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) try {
  kill_children_on_interrupt();
  PlatformOptions po;
  po.persons = 1'000'000;
  po.ei_rate = 1000;
  double refresh_seconds = 60;
  double timeout = 3600;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (parse_platform_flag(a, next, po)) continue;
    if (a == "--refresh-seconds") refresh_seconds = std::stod(next());
    else if (a == "--timeout") timeout = std::stod(next());
    else if (a == "-h" || a == "--help") {
      std::printf("usage: bench_rss [flags]   (here --persons defaults to 1000000, --ei-rate to 1000)\n%s"
                  "  --refresh-seconds S (60): bounded refresh phase after ingest\n"
                  "  --timeout SECONDS (3600): give up on the ingest after this\n",
                  platform_flags_help);
      return 0;
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }

  Platform p(po);
  fmt::print("bench_rss: {} persons, block cache {}\n", po.persons,
             po.block_cache.empty() ? "the daemon's default" : po.block_cache);
  p.print_commands();
  std::fflush(stdout);

  const auto start = Clock::now();
  const State idle = take(p, start);
  report("idle", idle);
  std::uint64_t max_rss = idle.memory.rss;
  p.replay();

  // Ingest: until the simulator has nothing left to deliver.
  // The batch in flight is in neither count, so the daemon's transaction count must also stand still
  // for a second.
  State s = idle;
  double last_progress = 0;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double before = s.ei_transactions;
    s = take(p, start);
    max_rss = std::max(max_rss, s.memory.rss);
    if (s.replay_remaining == 0 && s.queued == 0 && s.awaiting_redelivery == 0 && s.ei_transactions > 0 &&
        s.ei_transactions == before)
      break;
    if (s.t - last_progress >= 15) {
      last_progress = s.t;
      fmt::print("  ...      t={:>7.1f} s  VmRSS {:>6.0f} MiB, {:.0f} transactions ({:.0f}/s), persons left to "
                 "replay {}, refreshes {:.0f}\n",
                 s.t, mib(s.memory.rss), s.ei_transactions, s.ei_transactions / s.t, s.replay_remaining, s.refreshes);
      std::fflush(stdout);
    }
    if (s.t > timeout) throw std::runtime_error(fmt::format("ingest not finished after {} s", timeout));
  }
  const State ingest = s;
  report("ingest", ingest);

  // Bounded refresh phase.
  const double refresh_start = s.t;
  while (s.t - refresh_start < refresh_seconds) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    s = take(p, start);
    max_rss = std::max(max_rss, s.memory.rss);
    if (s.waiting == 0 && s.running == 0) break;
  }
  report("refresh", s);

  fmt::print("result:\n");
  fmt::print("  ingest of {:.0f} engagement transactions took at most {:.1f} s ({:.0f} tx/s; {} batches redelivered "
             "after a SOAP fault)\n",
             ingest.ei_transactions - idle.ei_transactions, ingest.t,
             (ingest.ei_transactions - idle.ei_transactions) / ingest.t, s.redeliveries);
  fmt::print("  VmRSS after ingest {:.0f} MiB, after the refresh phase {:.0f} MiB; VmHWM {:.0f} MiB; largest "
             "sampled VmRSS {:.0f} MiB (goal <= 512 MiB)\n",
             mib(ingest.memory.rss), mib(s.memory.rss), mib(s.memory.hwm), mib(max_rss));
  fmt::print("  refresh phase: {:.0f} refreshes done in total, {} still waiting, {} refused by the full queue{}\n",
             s.refreshes, s.waiting, s.refused,
             s.waiting + s.running > 0 ? fmt::format(" (stopped after {} s)", refresh_seconds) : "");
  fmt::print("  whole run {:.1f} s\n", seconds_since(start));
  p.print_dropped();
  fmt::print("command: {}\n", command_line(argc, argv));
  p.stop();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_rss: %s\n", e.what());
  return 1;
}
