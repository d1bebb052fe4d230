// TakSource: loading, keeping the last good snapshot, the cache file and the reload loop.

#include "bokade/tak/tak_source.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <mutex>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bokade/config/config.hpp"
#include "bokade/core/log.hpp"
#include "bokade/net/http_client.hpp"
#include "file_io.hpp"

namespace bokade::tak {

namespace asio = boost::asio;

namespace {

UtcTime wall_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool is_url(std::string_view source) {
  return starts_with_nocase(source, "http://") || starts_with_nocase(source, "https://");
}

std::string file_path(std::string_view source) {
  if (starts_with_nocase(source, "file://")) source.remove_prefix(7);
  return std::string(source);
}

// Identifies an export's bytes, to skip re-indexing an unchanged one.
struct Fingerprint {
  std::size_t size = 0;
  std::size_t hash = 0;
  bool operator==(const Fingerprint&) const = default;
};
Fingerprint fingerprint(std::string_view text) { return {text.size(), std::hash<std::string_view>{}(text)}; }

}  // namespace

TakSourceOptions source_options(const config::Config& config) {
  TakSourceOptions o;
  o.source = config.tak.source;
  o.reload_interval = config.tak.reload_interval;
  o.fetch_timeout = config.tak.fetch_timeout;
  o.cache_file = config.tak.cache_file.empty() ? config.storage.data_dir + "/tak-snapshot.json" : config.tak.cache_file;
  return o;
}

namespace {
// An HTTP client for downloading exports: responses up to max_export_bytes.
Expected<std::shared_ptr<net::HttpClient>> export_client(const asio::any_io_executor& executor,
                                                         const TakSourceOptions& options) {
  net::ClientOptions co;
  co.max_response_bytes = options.max_export_bytes;
  return net::HttpClient::create(executor, co);
}
}  // namespace

struct TakSource::Impl {
  Impl(asio::any_io_executor ex, TakSourceOptions o, std::shared_ptr<net::HttpClient> c)
      : executor(ex), strand(asio::make_strand(ex)), timer(strand), options(std::move(o)), client(std::move(c)) {}

  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;  // touched only on the strand
  std::atomic<bool> stopping{false};
  bool rearm = false;  // touched only on the strand: reconfigure() asks the loop to recompute its wait

  mutable std::mutex mutex;  // guards everything below
  TakSourceOptions options;  // source, reload_interval, retry_interval, fetch_timeout change on reconfigure()
  std::shared_ptr<net::HttpClient> client;  // null while the source is a file and none was given
  std::shared_ptr<const TakSnapshot> current;
  Fingerprint current_fingerprint;
  TakSourceStats stats;
  bool last_load_failed = false;
  bool load_now = false;  // the source changed: the loop loads at once instead of after the interval

  // What one load works with, whatever a reconfigure does meanwhile.
  TakSourceOptions current_options() const {
    std::lock_guard lock(mutex);
    return options;
  }

  asio::awaitable<Expected<std::string>> fetch(const TakSourceOptions& o) {
    if (!is_url(o.source)) co_return detail::read_file(file_path(o.source), o.max_export_bytes);
    std::shared_ptr<net::HttpClient> http;
    {
      std::lock_guard lock(mutex);
      http = client;
    }
    if (!http) co_return fail(fmt::format("GET {}: no HTTP client", o.source));
    net::ClientRequest req;
    req.method = "GET";
    req.url = o.source;
    req.headers = {{"Accept", "application/json"}};
    req.timeout = o.fetch_timeout;
    auto res = co_await http->request(std::move(req));
    if (!res) co_return fail(fmt::format("GET {}: {}", o.source, res.error().message));
    if (res->status != 200) co_return fail(fmt::format("GET {}: HTTP status {}", o.source, res->status));
    co_return std::move(res->body);
  }

  void record_failure(const TakSourceOptions& o, const std::string& why) {
    std::shared_ptr<const TakSnapshot> kept;
    {
      std::lock_guard lock(mutex);
      ++stats.loads_failed;
      stats.last_failure = wall_now();
      stats.last_error = why;
      last_load_failed = true;
      kept = current;
    }
    log::warn(kept ? "TAK load failed; keeping the last good snapshot" : "TAK load failed; no snapshot yet",
              {{"source", o.source},
               {"error", why},
               {"kept_loaded_at", kept ? format_iso_utc(kept->loaded_at()) : std::string("none")}});
  }

  // Makes `snap` current; `text` goes to the cache file unless it came from there.
  void install(std::shared_ptr<const TakSnapshot> snap, Fingerprint fp, bool from_cache) {
    std::lock_guard lock(mutex);
    current = std::move(snap);
    current_fingerprint = fp;
    stats.from_cache = from_cache;
    stats.counts = current->counts();
  }

  void persist(const TakSourceOptions& o, const std::string& text) {
    if (o.cache_file.empty()) return;
    if (auto st = detail::write_file_atomically(o.cache_file, text); !st) {
      {
        std::lock_guard lock(mutex);
        ++stats.cache_writes_failed;
      }
      log::warn("TAK cache file not written", {{"file", o.cache_file}, {"error", st.error().message}});
    }
  }

  asio::awaitable<Status> reload() {
    const auto o = current_options();
    auto text = co_await fetch(o);
    if (!text) {
      record_failure(o, text.error().message);
      co_return Unexpected<Error>{text.error()};
    }
    const auto fp = fingerprint(*text);
    {
      std::lock_guard lock(mutex);
      if (current && current_fingerprint == fp) {
        // The same export again (perhaps the one the cache held): nothing to index or write.
        stats.from_cache = false;
        ++stats.loads_ok;
        ++stats.loads_unchanged;
        stats.last_success = wall_now();
        stats.last_error.clear();
        last_load_failed = false;
        co_return Status{};
      }
    }
    auto snap = TakSnapshot::parse(*text, wall_now());
    if (!snap) {
      record_failure(o, fmt::format("{}: {}", o.source, snap.error().message));
      co_return Unexpected<Error>{snap.error()};
    }
    const auto counts = (*snap)->counts();
    const auto format = (*snap)->format();
    install(*snap, fp, false);
    {
      std::lock_guard lock(mutex);
      ++stats.loads_ok;
      stats.last_success = wall_now();
      stats.last_error.clear();
      last_load_failed = false;
    }
    persist(o, *text);
    log::info("TAK loaded", {{"source", o.source},
                             {"format", std::string(to_string(format))},
                             {"permissions", counts.permissions},
                             {"routes", counts.routes},
                             {"logical_addresses", counts.logical_addresses},
                             {"contracts", counts.contracts}});
    co_return Status{};
  }

  Status load_cache() {
    const auto o = current_options();
    if (o.cache_file.empty()) return fail("no TAK cache file is configured");
    auto text = detail::read_file(o.cache_file, o.max_export_bytes);
    if (!text) return fail("TAK cache: " + text.error().message);
    auto snap = TakSnapshot::parse(*text, wall_now());
    if (!snap) return fail(fmt::format("TAK cache {}: {}", o.cache_file, snap.error().message));
    const auto counts = (*snap)->counts();
    install(*snap, fingerprint(*text), true);
    log::warn(
        "TAK snapshot loaded from the cache file; the source will be retried",
        {{"file", o.cache_file},
         {"permissions", counts.permissions},
         {"routes", counts.routes},
         {"export_time", (*snap)->export_time() ? format_iso_utc(*(*snap)->export_time()) : std::string("none")}});
    return {};
  }

  // Takes effect for the next load; a new source is due at once. Fails, changing nothing, only when the
  // new source is a URL and no HTTP client can be made for it.
  Status reconfigure(TakSourceOptions next) {
    std::lock_guard lock(mutex);
    if (is_url(next.source) && !client) {
      auto made = export_client(executor, options);
      if (!made) return Unexpected<Error>{made.error()};
      client = *made;
    }
    const bool source_changed = next.source != options.source;
    if (source_changed) load_now = true;
    // The cache file and the size cap stay as started (restart-only).
    options.source = std::move(next.source);
    options.reload_interval = next.reload_interval;
    options.retry_interval = next.retry_interval;
    options.fetch_timeout = next.fetch_timeout;
    return {};
  }

  static asio::awaitable<void> loop(std::shared_ptr<Impl> self) {
    auto last_load = asio::steady_timer::clock_type::now();  // start() has just loaded
    while (!self->stopping.load()) {
      self->rearm = false;
      const auto o = self->current_options();
      auto wait = o.reload_interval;
      {
        std::lock_guard lock(self->mutex);
        if (self->last_load_failed) wait = std::min(wait, o.retry_interval);
        if (self->load_now) wait = decltype(wait)::zero();
      }
      // Checked and armed on the strand, where stop() and reconfigure() cancel: neither can slip in between.
      if (self->stopping.load()) break;
      self->timer.expires_at(last_load + wait);
      boost::system::error_code ec;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping.load()) break;
      if (self->rearm) continue;  // reconfigured while waiting: wait again, by the new interval
      {
        std::lock_guard lock(self->mutex);
        self->load_now = false;
      }
      co_await self->reload();
      last_load = asio::steady_timer::clock_type::now();
    }
  }
};

Expected<std::shared_ptr<TakSource>> TakSource::create(asio::any_io_executor executor, TakSourceOptions options,
                                                       std::shared_ptr<net::HttpClient> client) {
  if (options.source.empty()) return fail("tak.source is empty: give a file path or an http(s) URL");
  if (!client && is_url(options.source)) {
    auto made = export_client(executor, options);
    if (!made) return Unexpected<Error>{made.error()};
    client = *made;
  }
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options), std::move(client));
  return std::shared_ptr<TakSource>(new TakSource(std::move(impl)));
}

TakSource::TakSource(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
TakSource::~TakSource() = default;

asio::awaitable<Status> TakSource::start() {
  auto self = impl_;
  auto loaded = co_await self->reload();
  if (loaded) co_return Status{};
  if (self->current_options().cache_file.empty()) co_return loaded;
  auto cached = self->load_cache();
  if (cached) co_return Status{};
  co_return fail(fmt::format("no TAK snapshot: the source failed ({}) and so did the cache ({})",
                             loaded.error().message, cached.error().message));
}

asio::awaitable<Status> TakSource::reload() {
  auto self = impl_;
  co_return co_await self->reload();
}

Status TakSource::load_cache() { return impl_->load_cache(); }

asio::awaitable<void> TakSource::run() {
  auto self = impl_;
  co_await asio::co_spawn(self->strand, Impl::loop(self), asio::use_awaitable);
}

void TakSource::stop() {
  impl_->stopping.store(true);
  asio::post(impl_->strand, [self = impl_] { self->timer.cancel(); });
}

std::shared_ptr<const TakSnapshot> TakSource::current() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->current;
}

TakSourceStats TakSource::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

TakSourceOptions TakSource::options() const { return impl_->current_options(); }

Status TakSource::reconfigure(TakSourceOptions options) {
  if (options.source.empty()) return fail("tak.source is empty: give a file path or an http(s) URL");
  if (auto st = impl_->reconfigure(std::move(options)); !st) return st;
  // run() is waiting by the old interval: wake it on the strand, where it checks `rearm` and arms its
  // timer, so the new interval counts from the last load (and a new source is read at once).
  asio::post(impl_->strand, [self = impl_] {
    self->rearm = true;
    self->timer.cancel();
  });
  return {};
}

}  // namespace bokade::tak
