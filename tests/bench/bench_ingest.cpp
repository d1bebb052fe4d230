// bench_ingest: durable ProcessNotification ingest, in transactions per second, as a ratio of raw
// synced RocksDB WriteBatch throughput measured in the same run on the same disk (goal: ≥ 0.5).
// Prints figures; never fails on a figure (only when something is broken, e.g. a batch is refused).
//
//   bench_ingest [--transactions N] [--batch B] [--submitters S] [--dir DIR] [--no-http] [--daemon-threads T]
//
// What is timed, each in a fresh database under DIR (default: the system temp dir):
//   raw    S threads, each writing its share of the notifications as one rocksdb::WriteBatch of B puts
//          with sync=true into an "engagements" column family. The keys and values are byte for byte
//          what apply_transactions writes for the same transactions (engagement_key,
//          encode_engagement_record). RocksDB merges concurrent synced writers itself, so this is what
//          the disk and RocksDB can do for the same offered load.
//   path   S threads, each taking its share of the ProcessNotification SOAP bodies, parsing them with
//          rivta::read_process_notification, submitting apply_transactions as a WriteQueue job (group
//          commit, one synced WriteBatch per group) and waiting until its job is durable, as
//          NotificationReceiver does for every HTTP request.
//   http   a real bokaded (default config, sync_writes = true) and S client threads POSTing the same
//          bodies to its ProcessNotification endpoint, each waiting for ResultCode OK. Includes HTTP,
//          one new TCP connection per request (the test client does not keep connections alive), and
//          whatever the daemon does after a batch is stored (it queues a refresh for every changed
//          person; no TAK snapshot and no VP are reachable, so those refreshes call nothing).
//   raw and path alternate for --rounds rounds, each in a fresh database; the ratio is the median of the
//   per-round ratios, and every round is printed so that drift on a shared machine is visible. http runs
//   once, after them, and is compared with the median raw figure.
//
// Every transaction creates a new engagement for a distinct person (the replay of a new index).

#include <algorithm>
#include <vector>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <sys/resource.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "bench_support.hpp"
#include "bokade/core/hsa_id.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/ei/notification_receiver.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"
#include "daemon_support.hpp"
#include "http_client.hpp"
#include "process.hpp"

using namespace bokade;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::size_t transactions = 200'000;
  std::size_t batch = 1000;
  std::size_t submitters = 4;
  std::filesystem::path dir;
  bool http = true;
  unsigned daemon_threads = 2;
  int rounds = 3;
};

void usage() {
  std::puts(
      "usage: bench_ingest [--transactions N (200000)] [--batch B (1000)] [--submitters S (4)] [--dir DIR]\n"
      "                    [--rounds R (3)] [--no-http] [--daemon-threads T (2)]");
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--transactions") o.transactions = std::stoul(next());
    else if (a == "--batch") o.batch = std::stoul(next());
    else if (a == "--submitters") o.submitters = std::stoul(next());
    else if (a == "--dir") o.dir = next();
    else if (a == "--no-http") o.http = false;
    else if (a == "--daemon-threads") o.daemon_threads = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--rounds") o.rounds = std::max(1, std::stoi(next()));
    else if (a == "-h" || a == "--help") {
      usage();
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (o.transactions == 0 || o.batch == 0 || o.submitters == 0) throw std::invalid_argument("counts must be > 0");
  return o;
}

// CPU seconds (user + system) this process has used so far: shows whether a side waits for the disk or
// for the processor.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One notification: its SOAP body and the (key, value) pairs apply_transactions will write for it.
struct Notification {
  std::string body;
  std::vector<std::pair<std::string, std::string>> writes;
  std::size_t transactions = 0;
};

const std::vector<std::string>& logical_addresses() {
  static const std::vector<std::string> las = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 40; ++i) v.push_back(fmt::format("SE23210000{:02}-BENCH{:03}", 16 + i % 5, i));
    return v;
  }();
  return las;
}

rivta::EngagementTransaction transaction(std::size_t i) {
  rivta::EngagementTransaction t;
  auto& k = t.engagement.key;
  k.registered_resident_identification = bench::personnummer(i);
  k.service_domain = "riv:crm:scheduling";
  k.categorization = "NA";
  k.logical_address = logical_addresses()[i % logical_addresses().size()];
  k.business_object_instance_identifier = fmt::format("BENCH-{:010}", i);
  k.clinical_process_interest_id = "NA";
  k.source_system = "SE2321000016-A2BF";
  k.data_controller = "2321000016";
  k.owner = "SE5565594230-EI";
  t.engagement.most_recent_content = *parse_rivta_time("20270115101500");
  t.engagement.creation_time = *parse_rivta_time("20261101120000");
  t.engagement.update_time = *parse_rivta_time("20261101120000");
  return t;
}

// Exactly what apply_transactions stores for a new engagement (see engagement_apply.cpp).
std::pair<std::string, std::string> stored_write(const rivta::EngagementTransaction& t, UtcTime now) {
  const auto& e = t.engagement;
  auto person = PersonId::parse(e.key.registered_resident_identification);
  if (!person) throw std::runtime_error("generated an invalid personnummer: " + e.key.registered_resident_identification);
  EngagementKey key = e.key;
  key.registered_resident_identification = person->str();
  store::EngagementRecord record;
  record.most_recent_content = e.most_recent_content;
  record.creation_time = e.creation_time;
  record.update_time = e.update_time;
  record.last_seen = now;
  return {store::engagement_key(*person, key), store::encode_engagement_record(record)};
}

std::vector<Notification> make_notifications(const Options& o, UtcTime now) {
  std::vector<Notification> out;
  for (std::size_t first = 0; first < o.transactions; first += o.batch) {
    const std::size_t n = std::min(o.batch, o.transactions - first);
    std::vector<rivta::EngagementTransaction> ts;
    ts.reserve(n);
    Notification note;
    for (std::size_t i = first; i < first + n; ++i) {
      ts.push_back(transaction(i));
      note.writes.push_back(stored_write(ts.back(), now));
    }
    auto body = rivta::write_process_notification("5565594230", ts);
    if (!body) throw std::runtime_error("write_process_notification: " + body.error().message);
    note.body = std::move(*body);
    note.transactions = n;
    out.push_back(std::move(note));
  }
  return out;
}

// Runs `work(submitter)` on S threads started together; returns the wall time from the start signal
// until the last thread finished.
template <class Work>
double timed_on_threads(std::size_t threads, Work work) {
  std::atomic<bool> go{false};
  std::atomic<std::size_t> failures{0};
  std::vector<std::thread> pool;
  for (std::size_t s = 0; s < threads; ++s) {
    pool.emplace_back([&, s] {
      while (!go.load()) std::this_thread::yield();
      try {
        work(s);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "submitter %zu: %s\n", s, e.what());
        ++failures;
      }
    });
  }
  const auto start = Clock::now();
  go = true;
  for (auto& t : pool) t.join();
  const double seconds = bench::seconds_since(start);
  if (failures) throw std::runtime_error("a submitter failed");
  return seconds;
}

rocksdb::Options raw_options(std::vector<rocksdb::ColumnFamilyDescriptor>& cfs) {
  // As store.cpp opens it: the same table options, background jobs and an engagements column family.
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(64u << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf);
  cfs.emplace_back("engagements", cf);
  return o;
}

double run_raw(const Options& o, const std::vector<Notification>& notes, const std::filesystem::path& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  const auto options = raw_options(cfs);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir.string(), cfs, &handles, &raw);
  if (!s.ok()) throw std::runtime_error("raw open: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const double seconds = timed_on_threads(o.submitters, [&](std::size_t sub) {
    for (std::size_t j = sub; j < notes.size(); j += o.submitters) {
      rocksdb::WriteBatch wb;
      for (const auto& [k, v] : notes[j].writes) wb.Put(handles[1], k, v);
      auto st = db->Write(wo, &wb);
      if (!st.ok()) throw std::runtime_error("raw write: " + st.ToString());
    }
  });
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  return static_cast<double>(o.transactions) / seconds;
}

struct PathResult {
  double tps = 0;
  store::WriteQueue::Stats queue;
  std::uint64_t created = 0;
  std::uint64_t retries = 0;  // submit() refused because the queue was full
};

PathResult run_path(const Options& o, const std::vector<Notification>& notes, const std::filesystem::path& dir) {
  auto opened = store::Store::open(dir, store::StoreOptions{});
  if (!opened) throw std::runtime_error("store open: " + opened.error().message);
  auto& st = **opened;
  PathResult r;
  std::atomic<std::uint64_t> created{0}, retries{0};
  double seconds = 0;
  {
    store::WriteQueue queue(st, 64);  // as the daemon builds it (app.cpp)
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    seconds = timed_on_threads(o.submitters, [&](std::size_t sub) {
      rivta::ReaderLimits limits;
      limits.max_transactions = 2000;
      for (std::size_t j = sub; j < notes.size(); j += o.submitters) {
        auto parsed = rivta::read_process_notification(notes[j].body, limits);
        if (!parsed) throw std::runtime_error("parse: " + parsed.error().reason);
        auto notification = std::make_shared<rivta::ProcessNotification>(std::move(*parsed));
        auto summary = std::make_shared<ei::ApplySummary>();
        std::promise<Status> done;
        auto durable = done.get_future();
        auto job = [notification, summary, now](const store::Store& s, store::Batch& batch) -> Status {
          *summary = ei::ApplySummary{};
          return ei::apply_transactions(s, batch, notification->transactions, now, *summary);
        };
        while (!queue.submit(job, [&done](Status status) { done.set_value(std::move(status)); })) {
          ++retries;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        auto status = durable.get();
        if (!status) throw std::runtime_error("write: " + status.error().message);
        created += summary->created;
      }
    });
    // The writer thread counts a group after telling its jobs: wait for the last count.
    test::eventually([&] { return queue.stats().jobs >= notes.size(); }, std::chrono::seconds(5));
    r.queue = queue.stats();
  }
  r.tps = static_cast<double>(o.transactions) / seconds;
  r.created = created;
  r.retries = retries;
  return r;
}

struct HttpRun {
  double tps = 0;
  double refreshes = 0;
  std::uint64_t faults = 0;
  std::string first_fault;
};

HttpRun run_http(const Options& o, const std::vector<Notification>& notes, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  // Nothing listens on the VP port and the TAK file does not exist: refreshes the daemon queues for
  // changed persons find no TAK snapshot and call nothing, so only ingest is measured.
  const std::string cfg = fmt::format(R"(
[listen.query]
address = "127.0.0.1"
port = 0
max_body = "16MiB"
[listen.admin]
address = "127.0.0.1"
port = 0
[storage]
data_dir = "{}"
[vp]
url = "http://127.0.0.1:{}/vp"
[tak]
source = "{}"
[logging]
level = "warn"
)",
                                      (dir / "data").string(), bench::free_port(), (dir / "no-tak.json").string());
  test::write_file(dir / "d.toml", cfg);
  test::Process daemon({BOKADED_PATH, "--config", (dir / "d.toml").string(), "--ready-file",
                        (dir / "d.ready").string(), "--threads", std::to_string(o.daemon_threads)},
                       dir / "d.log");
  bench::ChildGuard guard(daemon.pid());
  if (!test::wait_for_file(dir / "d.ready", std::chrono::seconds(20)))
    throw std::runtime_error("bokaded did not start: " + test::read_file(dir / "d.log"));
  const auto ready = test::read_file(dir / "d.ready");
  const auto query = test::json_field(ready, "query");
  const auto admin = test::json_field(ready, "admin");
  std::atomic<std::uint64_t> faults{0};
  std::mutex first_fault_mutex;
  std::string first_fault;
  const double seconds = timed_on_threads(o.submitters, [&](std::size_t sub) {
    for (std::size_t j = sub; j < notes.size(); j += o.submitters) {
      for (int attempt = 0;; ++attempt) {
        auto r = test::http_request(
            query, "POST", std::string(ei::process_notification_path), notes[j].body,
            {{"Content-Type", "text/xml; charset=UTF-8"},
             {"SOAPAction", "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1:ProcessNotification"}});
        if (r.status == 200 && r.body.find("OK") != std::string::npos) break;
        if (faults++ == 0) {
          std::lock_guard lock(first_fault_mutex);
          first_fault = fmt::format("HTTP {} {} {}", r.status, r.error, r.body.substr(0, 400));
        }
        if (attempt > 100) throw std::runtime_error(fmt::format("HTTP {} {} {}", r.status, r.error, r.body.substr(0, 300)));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  });
  HttpRun run;
  run.tps = static_cast<double>(o.transactions) / seconds;
  run.faults = faults;
  run.first_fault = first_fault;
  run.refreshes = bench::metric_sum(test::http_get(admin, "/metrics").body, "bokade_refreshes_total");
  daemon.signal(SIGTERM);
  if (!daemon.wait(std::chrono::seconds(20))) daemon.signal(SIGKILL);
  return run;
}

}  // namespace

int main(int argc, char** argv) try {
  bench::kill_children_on_interrupt();
  const Options o = parse(argc, argv);
  test::TempDir tmp;  // removed at exit
  const auto base = o.dir.empty() ? tmp.path() : o.dir / fmt::format("bench-ingest-{}", ::getpid());
  std::filesystem::create_directories(base);

  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto notes = make_notifications(o, now);
  std::size_t body_bytes = 0, key_bytes = 0, value_bytes = 0;
  for (const auto& n : notes) {
    body_bytes += n.body.size();
    for (const auto& [k, v] : n.writes) {
      key_bytes += k.size();
      value_bytes += v.size();
    }
  }
  fmt::print("bench_ingest: {} transactions in {} notifications of <= {}, {} concurrent submitters, under {}\n",
             o.transactions, notes.size(), o.batch, o.submitters, base.string());
  fmt::print("  mean SOAP body {:.0f} bytes/notification; stored key {:.1f} bytes, value {:.1f} bytes/transaction\n",
             static_cast<double>(body_bytes) / static_cast<double>(notes.size()),
             static_cast<double>(key_bytes) / static_cast<double>(o.transactions),
             static_cast<double>(value_bytes) / static_cast<double>(o.transactions));
  std::fflush(stdout);

  // Raw and path alternate, each in a fresh database, so that both see the same machine load; the ratio
  // is the median of the per-round ratios.
  std::vector<double> raws, paths, ratios;
  PathResult path;
  for (int round = 1; round <= o.rounds; ++round) {
    double cpu = process_cpu_seconds();
    const double raw = run_raw(o, notes, base / fmt::format("raw{}", round));
    const double raw_cpu = process_cpu_seconds() - cpu;
    cpu = process_cpu_seconds();
    path = run_path(o, notes, base / fmt::format("path{}", round));
    const double path_cpu = process_cpu_seconds() - cpu;
    raws.push_back(raw);
    paths.push_back(path.tps);
    ratios.push_back(path.tps / raw);
    fmt::print("  round {}: raw RocksDB WriteBatch sync=true {:>8.0f} tx/s ({:.1f} ms CPU per 1000 tx) | "
               "parse + apply + WriteQueue {:>8.0f} tx/s ({:.1f} ms CPU per 1000 tx; {:.2f} notifications/fsync, "
               "{} created) | ratio {:.2f}\n",
               round, raw, raw_cpu * 1e6 / static_cast<double>(o.transactions), path.tps,
               path_cpu * 1e6 / static_cast<double>(o.transactions),
               path.queue.groups ? static_cast<double>(path.queue.jobs) / static_cast<double>(path.queue.groups) : 0.0,
               path.created, path.tps / raw);
    std::fflush(stdout);
    std::filesystem::remove_all(base / fmt::format("raw{}", round));
    std::filesystem::remove_all(base / fmt::format("path{}", round));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  const double reference = median(raws);
  fmt::print("raw RocksDB WriteBatch (sync=true)      : {:>8.0f} tx/s (median of {} rounds)\n", reference, o.rounds);
  fmt::print("rivta parse + apply + WriteQueue        : {:>8.0f} tx/s (median)\n", median(paths));
  fmt::print("ratio path / raw                        : {:>8.2f}   (median of per-round ratios; goal >= 0.5)\n",
             median(ratios));
  std::fflush(stdout);
  if (o.http) {
    const auto http = run_http(o, notes, base / "http");
    fmt::print("bokaded HTTP ProcessNotification        : {:>8.0f} tx/s ({} SOAP faults redelivered, {:.0f} refreshes "
               "completed meanwhile)\n",
               http.tps, http.faults, http.refreshes);
    fmt::print("ratio http / raw                        : {:>8.2f}   (against the median raw figure above)\n",
               http.tps / reference);
    if (http.faults) fmt::print("  first fault: {}\n", http.first_fault);
  }
  if (path.created != o.transactions)
    fmt::print("NOTE: {} of {} transactions created an engagement\n", path.created, o.transactions);
  fmt::print("command: {}\n", bench::command_line(argc, argv));
  if (!o.dir.empty()) std::filesystem::remove_all(base);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_ingest: %s\n", e.what());
  return 1;
}
