#pragma once
// TakSource: keeps a current TakSnapshot, loaded from the TAK export (a file or an http(s) URL).
//
// - A failed load (unreachable, HTTP error, timeout, malformed export) never replaces a good snapshot: it
//   is logged with its reason and counted, and the last good snapshot stays current.
// - Every good export is written atomically to the cache file (write, fsync, rename), so a restart while
//   the TAK service is down starts from the last good copy: start() falls back to it.
// - run() reloads every reload_interval (every retry_interval after a failure) until stop().
// - reconfigure() changes the source and the intervals while it runs (a SIGHUP reload).
// - current() is safe from any thread; snapshots are immutable and shared.
//
//   auto src = TakSource::create(ioc.get_executor(), source_options(config));
//   co_await (*src)->start();                      // source, else cache
//   co_spawn(ioc, (*src)->run(), detached);        // periodic reloads
//   … (*src)->current()->callable(our_hsa, get_subject_of_care_schedule_contract, address, now) …
//   (*src)->stop();                                // at shutdown: run() returns soon after

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/tak/tak_snapshot.hpp"

namespace bokade::config {
struct Config;
}
namespace bokade::net {
class HttpClient;
}

namespace bokade::tak {

struct TakSourceOptions {
  std::string source;  // a file path ("file://" prefix allowed) or an http:// or https:// URL
  std::chrono::milliseconds reload_interval{std::chrono::minutes{10}};
  std::chrono::milliseconds retry_interval{std::chrono::seconds{30}};  // after a failed load, if shorter
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds{30}};   // a whole download
  std::string cache_file;                                              // empty = no local copy
  std::uint64_t max_export_bytes = 512ull << 20;
};

// From [tak] and [storage]: cache_file defaults to <storage.data_dir>/tak-snapshot.json.
TakSourceOptions source_options(const config::Config& config);

// For metrics (bokade_tak_*) and `bokadectl`: plain values, copied under a lock.
struct TakSourceStats {
  std::uint64_t loads_ok = 0;         // good exports read from the source (unchanged ones included)
  std::uint64_t loads_unchanged = 0;  // of loads_ok: byte-identical to the current snapshot, not re-indexed
  std::uint64_t loads_failed = 0;     // source unreachable, HTTP error, timeout or malformed export
  std::uint64_t cache_writes_failed = 0;
  std::optional<UtcTime> last_success;  // wall-clock time of the last good load from the source
  std::optional<UtcTime> last_failure;
  std::string last_error;   // why the last failed load failed; empty after a success
  bool from_cache = false;  // the current snapshot came from the cache file, not the source
  TakCounts counts;         // of the current snapshot (zeros when there is none)
};

class TakSource {
 public:
  // Fails only when an HTTP client is needed and cannot be made. `client` may be null: for a URL source
  // one is then made on `executor`, allowing responses up to max_export_bytes.
  static Expected<std::shared_ptr<TakSource>> create(boost::asio::any_io_executor executor, TakSourceOptions options,
                                                     std::shared_ptr<net::HttpClient> client = nullptr);
  ~TakSource();
  TakSource(const TakSource&) = delete;
  TakSource& operator=(const TakSource&) = delete;

  // The first load: from the source, else from the cache file. Fails (with both reasons) only when neither
  // gives a snapshot; run() then keeps trying the source.
  boost::asio::awaitable<Status> start();
  // One load from the source now. On failure the current snapshot is kept.
  boost::asio::awaitable<Status> reload();
  // Reads the cache file into the current snapshot (start() does this when the source fails).
  Status load_cache();
  // Reloads every reload_interval (retry_interval after a failure) until stop(). Runs on an internal
  // strand, whatever executor it is spawned on.
  boost::asio::awaitable<void> run();
  // Thread-safe; run() returns once a load in flight has finished (at most fetch_timeout).
  void stop();

  // Null until a snapshot has been loaded.
  [[nodiscard]] std::shared_ptr<const TakSnapshot> current() const;
  [[nodiscard]] TakSourceStats stats() const;
  // The options in force (a copy: reconfigure() may change them at any time).
  [[nodiscard]] TakSourceOptions options() const;
  // A reloaded configuration (SIGHUP), thread-safe: source, reload_interval, retry_interval and
  // fetch_timeout apply from the next load; run() re-arms its wait by the new interval at once, and a
  // changed source is loaded from at once. cache_file and max_export_bytes stay as created. Fails,
  // changing nothing, for an empty source or when a URL source needs an HTTP client that cannot be made.
  Status reconfigure(TakSourceOptions options);

 private:
  struct Impl;
  explicit TakSource(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::tak
