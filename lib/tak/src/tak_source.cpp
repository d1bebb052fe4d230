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

struct TakSource::Impl {
  Impl(asio::any_io_executor ex, TakSourceOptions o, std::shared_ptr<net::HttpClient> c)
      : strand(asio::make_strand(ex)), timer(strand), options(std::move(o)), client(std::move(c)) {}

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;  // touched only on the strand
  const TakSourceOptions options;
  const std::shared_ptr<net::HttpClient> client;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;  // guards everything below
  std::shared_ptr<const TakSnapshot> current;
  Fingerprint current_fingerprint;
  TakSourceStats stats;
  bool last_load_failed = false;

  asio::awaitable<Expected<std::string>> fetch() {
    if (!is_url(options.source)) co_return detail::read_file(file_path(options.source), options.max_export_bytes);
    net::ClientRequest req;
    req.method = "GET";
    req.url = options.source;
    req.headers = {{"Accept", "application/json"}};
    req.timeout = options.fetch_timeout;
    auto res = co_await client->request(std::move(req));
    if (!res) co_return fail(fmt::format("GET {}: {}", options.source, res.error().message));
    if (res->status != 200) co_return fail(fmt::format("GET {}: HTTP status {}", options.source, res->status));
    co_return std::move(res->body);
  }

  void record_failure(const std::string& why) {
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
              {{"source", options.source},
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

  void persist(const std::string& text) {
    if (options.cache_file.empty()) return;
    if (auto st = detail::write_file_atomically(options.cache_file, text); !st) {
      {
        std::lock_guard lock(mutex);
        ++stats.cache_writes_failed;
      }
      log::warn("TAK cache file not written", {{"file", options.cache_file}, {"error", st.error().message}});
    }
  }

  asio::awaitable<Status> reload() {
    auto text = co_await fetch();
    if (!text) {
      record_failure(text.error().message);
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
      record_failure(fmt::format("{}: {}", options.source, snap.error().message));
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
    persist(*text);
    log::info("TAK loaded", {{"source", options.source},
                             {"format", std::string(to_string(format))},
                             {"permissions", counts.permissions},
                             {"routes", counts.routes},
                             {"logical_addresses", counts.logical_addresses},
                             {"contracts", counts.contracts}});
    co_return Status{};
  }

  Status load_cache() {
    if (options.cache_file.empty()) return fail("no TAK cache file is configured");
    auto text = detail::read_file(options.cache_file, options.max_export_bytes);
    if (!text) return fail("TAK cache: " + text.error().message);
    auto snap = TakSnapshot::parse(*text, wall_now());
    if (!snap) return fail(fmt::format("TAK cache {}: {}", options.cache_file, snap.error().message));
    const auto counts = (*snap)->counts();
    install(*snap, fingerprint(*text), true);
    log::warn(
        "TAK snapshot loaded from the cache file; the source will be retried",
        {{"file", options.cache_file},
         {"permissions", counts.permissions},
         {"routes", counts.routes},
         {"export_time", (*snap)->export_time() ? format_iso_utc(*(*snap)->export_time()) : std::string("none")}});
    return {};
  }

  static asio::awaitable<void> loop(std::shared_ptr<Impl> self) {
    while (!self->stopping.load()) {
      auto wait = self->options.reload_interval;
      {
        std::lock_guard lock(self->mutex);
        if (self->last_load_failed) wait = std::min(wait, self->options.retry_interval);
      }
      // Checked and armed on the strand, where stop() cancels: a stop can never slip in between.
      if (self->stopping.load()) break;
      self->timer.expires_after(wait);
      boost::system::error_code ec;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping.load()) break;
      co_await self->reload();
    }
  }
};

Expected<std::shared_ptr<TakSource>> TakSource::create(asio::any_io_executor executor, TakSourceOptions options,
                                                       std::shared_ptr<net::HttpClient> client) {
  if (options.source.empty()) return fail("tak.source is empty: give a file path or an http(s) URL");
  if (!client && is_url(options.source)) {
    net::ClientOptions co;
    co.max_response_bytes = options.max_export_bytes;
    auto made = net::HttpClient::create(executor, co);
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
  if (self->options.cache_file.empty()) co_return loaded;
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

const TakSourceOptions& TakSource::options() const noexcept { return impl_->options; }

}  // namespace bokade::tak
