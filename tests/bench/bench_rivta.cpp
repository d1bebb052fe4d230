// bench_rivta: how fast the rivta readers are, as a ratio of a bare pugixml parse of the same bytes
// measured in the same run (goal: ≥ 0.5). Prints figures; never fails.
//
//   bench_rivta [seconds-per-case, default 2] [only: a substring of the case names] [options]
//     --rounds N       rounds per case (default 15). Each round times the bare parse and then the reader
//                      for seconds/(2N) each, so both see the same machine load; the figures printed are
//                      the medians over the rounds (the ratio is the median of the per-round ratios).
//     --iterations N   no timing: run the bare parse N times, then the reader N times, per case. For
//                      instruction counts, e.g.
//                      valgrind --tool=callgrind bench_rivta 0 50 --iterations 200
//                      and compare the inclusive counts of bare_parse and read_schedule_response.
//     --side bare|reader  with --iterations: run only that side (for perf stat on one side).
//     --default-malloc  leave glibc's malloc trimming/mmap thresholds alone (see main; both sides then
//                      may pay page faults per message, differently from run to run).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <iostream>
#include <string>
#include <vector>

#include <malloc.h>
#include <pugixml.hpp>
#include <sys/resource.h>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/schedule.hpp"

using namespace bokade;
using namespace bokade::rivta;
using Clock = std::chrono::steady_clock;

namespace {

volatile std::size_t sink = 0;  // keeps the optimiser from dropping the work

struct Options {
  double seconds = 2.0;
  std::string only;         // run only the cases whose name holds this
  int rounds = 15;
  long iterations = 0;      // > 0: fixed-count mode, no timing
  std::string side;         // with iterations: "bare" or "reader" runs only that side
  bool default_malloc = false;  // leave glibc's trimming and mmap thresholds as they are
};
Options options;

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Messages per second of `work`, run for about `seconds`; adds the minor page faults per message
// to `*faults` when given.
double rate_once(const std::function<void()>& work, double seconds, double* faults = nullptr) {
  const long faults_before = minor_faults();
  std::size_t n = 0;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  Clock::time_point now;
  do {
    for (int k = 0; k < 4; ++k) work();
    n += 4;
    now = Clock::now();
  } while (now < until);
  if (faults != nullptr) *faults += static_cast<double>(minor_faults() - faults_before) / static_cast<double>(n);
  return static_cast<double>(n) / std::chrono::duration<double>(now - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

[[gnu::noinline]] void bare_parse(const std::string& bytes) {
  pugi::xml_document doc;
  const auto result = doc.load_buffer(bytes.data(), bytes.size());  // pugixml's default options
  sink = sink + static_cast<std::size_t>(static_cast<bool>(result));
}

void report(const char* name, const std::string& bytes, const std::function<void()>& reader) {
  if (!options.only.empty() && std::string(name).find(options.only) == std::string::npos) return;
  if (options.iterations > 0) {
    if (options.side != "reader") {
      for (long i = 0; i < options.iterations; ++i) bare_parse(bytes);
    }
    if (options.side != "bare") {
      for (long i = 0; i < options.iterations; ++i) reader();
    }
    std::printf("%-44s %9zu bytes  ran %s %ld times\n", name, bytes.size(),
                options.side.empty() ? "bare parse and reader" : options.side.c_str(), options.iterations);
    return;
  }
  // Warm up caches and the allocator before the first measured round.
  rate_once([&] { bare_parse(bytes); }, 0.05);
  rate_once(reader, 0.05);
  const double slice = options.seconds / (2.0 * options.rounds);
  std::vector<double> bare, ours, ratio;
  double bare_faults = 0;
  double our_faults = 0;
  for (int r = 0; r < options.rounds; ++r) {
    // Alternate which side goes first so neither is always measured after the other.
    double b = 0;
    double o = 0;
    if (r % 2 == 0) {
      b = rate_once([&] { bare_parse(bytes); }, slice, &bare_faults);
      o = rate_once(reader, slice, &our_faults);
    } else {
      o = rate_once(reader, slice, &our_faults);
      b = rate_once([&] { bare_parse(bytes); }, slice, &bare_faults);
    }
    bare.push_back(b);
    ours.push_back(o);
    ratio.push_back(o / b);
  }
  const double mb = static_cast<double>(bytes.size()) / (1024.0 * 1024.0);
  const double ours_median = median(ours);
  const double bare_median = median(bare);
  std::printf("%-44s %9zu bytes  reader %9.0f msg/s %7.1f MB/s | bare pugixml %9.0f msg/s %7.1f MB/s | "
              "ratio %.2f (median of %d; min %.2f, max %.2f)\n",
              name, bytes.size(), ours_median, ours_median * mb, bare_median, bare_median * mb, median(ratio), options.rounds,
              *std::min_element(ratio.begin(), ratio.end()), *std::max_element(ratio.begin(), ratio.end()));
  std::printf("%-44s minor page faults per message: reader %.1f, bare %.1f\n", "", our_faults / options.rounds,
              bare_faults / options.rounds);
}

Appointment appointment(int i) {
  Appointment a;
  a.start = parse_rivta_time("20261122093000").value() + std::chrono::hours(24 * i);
  a.end = *a.start + std::chrono::minutes(30);
  a.healthcare_facility = "SE2321000016-A1B" + std::to_string(i % 10);
  a.healthcare_facility_name = "Vårdcentralen Åsa";
  a.performer = "SE2321000016-P" + std::to_string(i);
  a.performer_name = "Doktor Örn";
  a.booking_id = "4c7a1f0e-6b1d-4b53-9d0e-" + std::to_string(100000000000 + i);
  a.subject_of_care = "191212121212";
  a.purpose = "Återbesök";
  a.reason = "Uppföljning av behandling";
  a.resource_name = "Mottagning 3";
  a.resource_id = "R3";
  a.time_type_name = "Besök";
  a.time_type_id = "B1";
  a.care_type_name = "Primärvård";
  a.care_type_id = "PV";
  a.cancel_booking_allowed = true;
  a.rebooking_allowed = i % 2 == 0;
  a.is_invitation = i % 5 == 0;
  return a;
}

EngagementTransaction transaction(int i) {
  EngagementTransaction t;
  t.delete_flag = i % 10 == 0;
  auto& k = t.engagement.key;
  k.registered_resident_identification = std::to_string(191200000000 + i * 7);
  k.service_domain = "riv:crm:scheduling";
  k.categorization = "NA";
  k.logical_address = "SE2321000016-A1B" + std::to_string(i % 10);
  k.business_object_instance_identifier = "booking-" + std::to_string(i);
  k.clinical_process_interest_id = "NA";
  k.source_system = "SE2321000016-SYS";
  k.data_controller = "2321000016";
  k.owner = "SE2321000016-OWN";
  t.engagement.most_recent_content = parse_rivta_time("20261122093000").value();
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--rounds" || arg == "--iterations") && i + 1 < argc) {
      const long n = std::strtol(argv[++i], nullptr, 10);
      if (arg == "--rounds") options.rounds = static_cast<int>(std::max(1L, n));
      else options.iterations = std::max(0L, n);
    } else if (arg == "--side" && i + 1 < argc) {
      options.side = argv[++i];
    } else if (arg == "--default-malloc") {
      options.default_malloc = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: bench_rivta [SECONDS] [CASE] [--rounds N] [--iterations N] [--side bare|reader] "
                   "[--default-malloc]\n"
                   "  SECONDS per case (default 2); CASE: run only the case whose name starts so;\n"
                   "  --iterations N: a fixed number of messages per side instead (for callgrind); --side: one side\n";
      return 0;
    } else if (positional == 0) {
      char* end = nullptr;
      options.seconds = std::strtod(arg.c_str(), &end);
      if (end == arg.c_str() || *end != 0 || options.seconds < 0) {
        std::cerr << "bench_rivta: '" << arg << "' is not a number of seconds (see --help)\n";
        return 2;
      }
      ++positional;
    } else {
      options.only = arg;
      ++positional;
    }
  }
  // Keep glibc from returning freed memory to the kernel between messages: with its default, dynamic
  // thresholds, whether a message's buffers are mmap'ed or the heap top is trimmed (and then every
  // message pays hundreds of page faults) depends on what ran before, and flips between runs; that
  // cost landed on one side or both and moved the ratios far more than any change to the reader.
  // Both sides now run on a warm heap (the page-fault line should read about 0 for both).
  // --default-malloc leaves glibc as it is (the figures before this was added were taken that way).
  if (!options.default_malloc) {
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  }
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  std::printf("command: %s\n", command.c_str());
  std::printf("pugixml %d, bare parse = pugi::xml_document::load_buffer with parse_default; reader = parse + limits + "
              "DTD/depth checks + namespace checks + building the result (and destroying it)\n"
              "%s\n",
              PUGIXML_VERSION,
              options.default_malloc ? "malloc: glibc defaults (--default-malloc)"
                                     : "malloc: no trimming, no mmap (M_TRIM_THRESHOLD 512 MiB, M_MMAP_THRESHOLD 256 MiB): "
                                       "both sides on a warm heap");
  if (options.iterations == 0) {
    std::printf("%.2f s per case in %d interleaved rounds (bare, reader, then reader, bare, ...); medians shown\n\n",
                options.seconds, options.rounds);
  } else {
    std::printf("fixed-count mode: %ld iterations per side, no timing\n\n", options.iterations);
  }

  std::vector<Appointment> slots;
  for (int i = 0; i < 50; ++i) slots.push_back(appointment(i));
  const std::string schedule = write_schedule_response(slots).value();
  report("GetSubjectOfCareScheduleResponse, 50 slots", schedule, [&] {
    auto r = read_schedule_response(schedule);
    sink = sink + r->appointments.size();
  });

  std::vector<EngagementTransaction> txs;
  for (int i = 0; i < 1000; ++i) txs.push_back(transaction(i));
  const std::string notification = write_process_notification("SE-BOKADE", txs).value();
  report("ProcessNotification, 1000 transactions", notification, [&] {
    auto r = read_process_notification(notification);
    sink = sink + r->transactions.size();
  });

  std::ifstream in(std::string(BOKADE_SHARED_DIR) + "/rivta/itintegration/engagementindex/samples/vp-tests/ProcessNotificationLargePayload.xml",
                   std::ios::binary);
  if (in) {
    std::ostringstream s;
    s << in.rdbuf();
    const std::string real = s.str();
    report("ProcessNotificationLargePayload.xml (1001)", real, [&] {
      auto r = read_process_notification(real);
      sink = sink + r->transactions.size();
    });
  }
  return 0;
}
