#include "bokade/core/text.hpp"
#include "bokade/ei/find_content_poller.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>

#include "bokade/core/hsa_id.hpp"
#include "bokade/core/log.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/store/async_commit.hpp"

namespace bokade::ei {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {


UtcTime utc_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// The global calls-per-second cap: each call takes the next free slot, 1/rate after the previous one,
// and waits for it. A bucket of depth one: over any window of T seconds at most rate·T + 1 calls start.
class CallPacer {
 public:
  explicit CallPacer(double rate) : spacing_(spacing_of(rate)) {}
  SteadyClock::duration reserve() {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    const auto slot = std::max(now, next_);
    next_ = slot + spacing_;
    return slot - now;
  }
  // A new cap from the next reservation on. Slots already handed out keep their times; the next free
  // slot moves to one new spacing after the last one taken, so a lower cap holds from that call on.
  void set_rate(double rate) {
    std::lock_guard lock(mutex_);
    const auto spacing = spacing_of(rate);
    next_ = next_ - spacing_ + spacing;
    spacing_ = spacing;
  }

 private:
  static SteadyClock::duration spacing_of(double rate) {
    return rate > 0 ? std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(1.0 / rate))
                    : SteadyClock::duration::zero();
  }
  std::mutex mutex_;
  SteadyClock::duration spacing_;
  SteadyClock::time_point next_{};
};

PollerOptions normalised(PollerOptions o) {
  o.concurrency = std::max<std::size_t>(o.concurrency, 1);
  o.batch_size = std::max<std::size_t>(o.batch_size, 1);
  return o;
}

struct CallResult {
  Outcome outcome = Outcome::ok;
  std::string reason;
  std::vector<Engagement> engagements;
};

// Makes the stored engagements of `person` in `domain` equal `answer` (the full truth for that pair).
Status reconcile(const store::Store& s, store::Batch& batch, const PersonId& person, std::string_view domain,
                 const std::vector<Engagement>& answer, UtcTime asked_at, ApplySummary& summary) {
  const std::string domain_lower = to_lower(domain);
  std::vector<rivta::EngagementTransaction> transactions;
  std::set<EngagementKey> present;
  for (const auto& e : answer) {
    if (to_lower(e.key.service_domain) != domain_lower) continue;
    auto p = PersonId::parse(e.key.registered_resident_identification);
    if (!p || *p != person) continue;  // not what was asked: never trusted as truth about someone else
    EngagementKey k = e.key;
    k.registered_resident_identification = person.str();
    k.service_domain = domain_lower;
    present.insert(std::move(k));
    transactions.push_back({false, e});
  }
  auto stored = engagements_of(s, person);
  if (!stored) return Unexpected<Error>{stored.error()};
  for (const auto& se : *stored) {
    if (se.key.service_domain != domain_lower || present.contains(se.key)) continue;
    // Stored after the call went out: a notification newer than this answer; the next poll decides.
    if (se.record.last_seen >= asked_at) continue;
    rivta::EngagementTransaction t;
    t.delete_flag = true;
    t.engagement.key = se.key;
    t.engagement.creation_time = se.record.creation_time;
    t.engagement.most_recent_content = se.record.most_recent_content;
    // The tombstone carries the stored version, so that the engagement, should the index list it
    // again with that version, is created again; older notifications arriving late stay stale.
    t.engagement.update_time = se.record.update_time ? se.record.update_time
                               : se.record.creation_time ? se.record.creation_time
                                                         : std::optional<UtcTime>{asked_at};
    transactions.push_back(std::move(t));
  }
  return apply_transactions(s, batch, transactions, asked_at, summary);
}

}  // namespace

struct FindContentPoller::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, std::shared_ptr<net::HttpClient> c, store::Store& st, store::WriteQueue& q,
       WatchSet& w, PollerOptions o, PollerMetrics* m, RefreshCallback r)
      : strand(asio::make_strand(ex)), tick_timer(strand), client(std::move(c)), store(st), queue(q), watch(w),
        options(std::make_shared<const PollerOptions>(normalised(std::move(o)))), metrics(m), refresh(std::move(r)),
        pacer(options->max_calls_per_second) {}

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer tick_timer;  // touched only on `strand`
  std::shared_ptr<net::HttpClient> client;
  store::Store& store;
  store::WriteQueue& queue;
  WatchSet& watch;
  mutable std::mutex options_mutex;
  std::shared_ptr<const PollerOptions> options;  // swapped whole by reconfigure(); read through current()
  PollerMetrics* metrics;
  RefreshCallback refresh;
  CallPacer pacer;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false};

  std::array<std::atomic<std::uint64_t>, all_outcomes.size()> calls{};
  std::atomic<std::uint64_t> polled{0}, failed{0}, expired{0}, created{0}, deleted{0}, refreshes{0},
      refused{0}, store_errors{0}, watch_set_persons{0};
  std::atomic<double> lag{0};

  // The options one poll (or one lookup, or one tick) works with from start to end.
  std::shared_ptr<const PollerOptions> current() const {
    std::lock_guard lock(options_mutex);
    return options;
  }

  void reconfigure(PollerOptions next) {
    auto fresh = std::make_shared<const PollerOptions>(normalised(std::move(next)));
    pacer.set_rate(fresh->max_calls_per_second);
    std::lock_guard lock(options_mutex);
    options = std::move(fresh);
  }

  void store_error(std::string_view stage, const Error& e) {
    ++store_errors;
    log::warn("FindContent poller: storage failed", {{"stage", stage}, {"error", e.message}});
  }

  void update_gauges(UtcTime now) {
    if (auto n = watch.size()) {
      watch_set_persons = *n;
      if (metrics) metrics->watch_set_persons(*n);
    }
    if (auto oldest = watch.oldest_due()) {
      const double l = *oldest && **oldest < now ? std::chrono::duration<double>(now - **oldest).count() : 0.0;
      lag = l;
      if (metrics) metrics->schedule_lag(l);
    }
  }

  asio::awaitable<Status> commit(store::WriteQueue::Job job) {
    auto [status, accepted] = co_await store::async_commit(queue, std::move(job), asio::use_awaitable);
    if (!accepted) co_return fail("the write queue is full");
    co_return status;
  }

  asio::awaitable<CallResult> find_content(const PollerOptions& o, const PersonId& person, const std::string& domain) {
    CallResult result;
    rivta::FindContentRequest r;
    r.logical_address = o.ei_logical_address;
    r.registered_resident_identification = person.str();
    r.service_domain = domain;
    auto body = rivta::write_find_content_request(r);
    if (!body) {
      result.outcome = Outcome::parse_error;
      result.reason = "request not written: " + body.error().message;
      co_return result;
    }
    net::ClientRequest req;
    req.method = "POST";
    req.url = o.find_content_url;
    req.body = std::move(*body);
    req.timeout = o.call_timeout;
    req.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", std::string(find_content_soap_action)}};
    if (!o.consumer_hsa_id.empty()) {
      req.headers.emplace_back("x-rivta-original-serviceconsumer-hsaid", o.consumer_hsa_id);
    }
    auto response = co_await client->request(std::move(req));
    if (!response) {
      result.outcome = response.error().outcome;
      result.reason = response.error().message;
      co_return result;
    }
    auto parsed = rivta::read_find_content_response(response->body);
    if (parsed && response->status == 200) {
      result.engagements = std::move(*parsed);
    } else if (parsed) {
      result.outcome = Outcome::http_status;
      result.reason = "HTTP " + std::to_string(response->status);
    } else {
      const bool plain_http_error = response->status != 200 && parsed.error().outcome == Outcome::parse_error;
      result.outcome = plain_http_error ? Outcome::http_status : parsed.error().outcome;
      result.reason = parsed.error().fault_code.empty() ? parsed.error().reason
                                                        : parsed.error().fault_code + " " + parsed.error().reason;
    }
    co_return result;
  }

  // Polls one due person. Returns false when storage failed (the entry stays due).
  asio::awaitable<bool> poll(const store::ScheduleEntry& entry, CallResult& last_failure) {
    auto person = PersonId::parse(entry.person);
    const auto now = utc_now();
    if (!person) {  // a schedule key no build of bokade writes: drop it
      const std::string key = entry.person;
      const auto due = entry.due;
      store::WriteQueue::Job drop = [key, due](const store::Store&, store::Batch& b) -> Status {
        std::string k;
        store::append_u64(k, static_cast<std::uint64_t>(due.time_since_epoch().count()));
        b.erase(store::Column::schedule, k + key);
        return {};
      };
      auto st = co_await commit(std::move(drop));
      co_return st.has_value();
    }
    auto record = watch.record(*person);
    if (!record) {
      store_error("read person", record.error());
      co_return false;
    }
    const auto& rec = *record;
    if (!rec || rec->watch_expiry <= now || !rec->scheduled || rec->next_due != entry.due) {
      auto unschedule = watch.unschedule_expired_job(*person, entry.due, now);
      auto st = co_await commit(std::move(unschedule));
      if (!st) {
        store_error("unschedule", st.error());
        co_return false;
      }
      if (rec && rec->scheduled && rec->next_due == entry.due && rec->watch_expiry <= now) {
        ++expired;
        log::debug("watch expired", {{"person", person->masked()}});
      }
      co_return true;
    }

    const auto asked_at = now;
    const auto o = current();
    std::vector<std::pair<std::string, CallResult>> answers;
    bool all_ok = true;
    for (const auto& domain : o->service_domains) {
      if (stopping) co_return true;
      if (const auto wait = pacer.reserve(); wait > SteadyClock::duration::zero()) {
        asio::steady_timer t(strand, wait);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopping) co_return true;
      }
      auto r = co_await find_content(*o, *person, domain);
      ++calls[static_cast<std::size_t>(r.outcome)];
      if (metrics) metrics->call(r.outcome);
      if (r.outcome != Outcome::ok) {
        all_ok = false;
        log::debug("FindContent failed", {{"person", person->masked()}, {"domain", domain},
                                          {"outcome", to_string(r.outcome)}, {"reason", r.reason}});
        last_failure = std::move(r);
        continue;
      }
      answers.emplace_back(domain, std::move(r));
    }

    const auto next_due = all_ok ? watch.next_poll(now) : watch.retry_at(now, o->retry_after);
    auto summary = std::make_shared<ApplySummary>();
    auto shared_answers = std::make_shared<decltype(answers)>(std::move(answers));
    auto reschedule = watch.reschedule_job(*person, entry.due, next_due,
                                           all_ok ? std::optional<UtcTime>{now} : std::nullopt);
    const PersonId p = *person;
    store::WriteQueue::Job job = [p, asked_at, summary, shared_answers, reschedule](const store::Store& s,
                                                                                   store::Batch& b) -> Status {
      *summary = ApplySummary{};
      for (const auto& [domain, answer] : *shared_answers) {
        if (auto r = reconcile(s, b, p, domain, answer.engagements, asked_at, *summary); !r) return r;
      }
      return reschedule(s, b);
    };
    auto st = co_await commit(std::move(job));
    if (!st) {
      store_error("reconcile", st.error());
      co_return false;
    }
    created += summary->created;
    deleted += summary->deleted;
    if (!all_ok) ++failed;
    if (shared_answers->empty()) co_return true;
    if (all_ok) ++polled;

    // All the person's clinics: live engagements, and the addresses whose engagements just went away.
    std::set<std::string> clinics;
    if (auto live = engagements_of(store, p)) {
      for (const auto& e : *live) clinics.insert(normalise_hsa(e.key.logical_address));
    } else {
      store_error("read engagements", live.error());
    }
    if (auto it = summary->affected.find(p.str()); it != summary->affected.end()) {
      clinics.insert(it->second.begin(), it->second.end());
    }
    log::debug("FindContent stored", {{"person", p.masked()}, {"created", summary->created},
                                      {"deleted", summary->deleted}, {"clinics", clinics.size()}});
    if (clinics.empty() || !refresh) co_return true;
    if (refresh(p.str(), clinics)) {
      ++refreshes;
      co_return true;
    }
    ++refused;  // the refresh queue is full: come back soon rather than after a whole interval
    auto retry = watch.reschedule_job(p, next_due, watch.retry_at(now, o->retry_after), now);
    auto again = co_await commit(std::move(retry));
    if (!again) store_error("reschedule", again.error());
    co_return true;
  }

  // One FindContent round for a person nothing is known about yet (see FindContentPoller::lookup).
  asio::awaitable<Status> lookup(PersonId person) {
    const auto asked_at = utc_now();
    auto answers = std::make_shared<std::vector<std::pair<std::string, CallResult>>>();
    auto executor = co_await asio::this_coro::executor;
    const auto o = current();
    for (const auto& domain : o->service_domains) {
      if (const auto wait = pacer.reserve(); wait > SteadyClock::duration::zero()) {
        asio::steady_timer t(executor, wait);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      auto r = co_await find_content(*o, person, domain);
      ++calls[static_cast<std::size_t>(r.outcome)];
      if (metrics) metrics->call(r.outcome);
      if (r.outcome != Outcome::ok) co_return fail(fmt::format("FindContent failed: {}", r.reason));
      answers->emplace_back(domain, std::move(r));
    }
    auto summary = std::make_shared<ApplySummary>();
    store::WriteQueue::Job job = [person, asked_at, summary, answers](const store::Store& s, store::Batch& b) -> Status {
      *summary = ApplySummary{};
      for (const auto& [domain, answer] : *answers) {
        if (auto r = reconcile(s, b, person, domain, answer.engagements, asked_at, *summary); !r) return r;
      }
      return {};
    };
    auto st = co_await commit(std::move(job));
    if (!st) co_return st;
    created += summary->created;
    deleted += summary->deleted;
    co_return Status{};
  }

  struct BatchState {
    explicit BatchState(asio::strand<asio::any_io_executor>& s) : done(s) {}
    std::vector<store::ScheduleEntry> entries;
    std::size_t next = 0;
    std::size_t workers = 0;
    bool storage_failed = false;
    std::size_t failures = 0;
    CallResult last_failure;
    asio::steady_timer done;
  };

  asio::awaitable<void> worker(std::shared_ptr<BatchState> batch) {
    auto self = shared_from_this();
    while (!stopping && batch->next < batch->entries.size()) {
      const auto entry = batch->entries[batch->next++];
      CallResult failure;
      const bool stored = co_await poll(entry, failure);
      if (!stored) batch->storage_failed = true;
      if (failure.outcome != Outcome::ok) {
        ++batch->failures;
        batch->last_failure = std::move(failure);
      }
    }
    if (--batch->workers == 0) batch->done.cancel();
  }

  asio::awaitable<void> loop() {
    auto self = shared_from_this();
    {
      const auto o = current();
      log::info("FindContent poller started",
                {{"max_calls_per_second", o->max_calls_per_second}, {"concurrency", o->concurrency},
                 {"interval_seconds", static_cast<std::int64_t>(watch.options().interval.count())}});
    }
    while (!stopping) {
      const auto o = current();  // a reload applies from the next tick on
      const auto now = utc_now();
      update_gauges(now);
      bool rest = true;
      auto due = watch.due(now, o->batch_size);
      if (!due) {
        store_error("scan schedule", due.error());
      } else if (!due->empty()) {
        auto batch = std::make_shared<BatchState>(strand);
        batch->done.expires_at(asio::steady_timer::time_point::max());
        batch->entries = std::move(*due);
        batch->workers = std::min(o->concurrency, batch->entries.size());
        for (std::size_t i = batch->workers; i > 0; --i) asio::co_spawn(strand, worker(batch), asio::detached);
        if (batch->workers > 0) co_await batch->done.async_wait(asio::as_tuple(asio::use_awaitable));
        if (batch->failures > 0) {
          log::warn("FindContent calls failed", {{"failed", batch->failures}, {"of", batch->entries.size()},
                                                 {"outcome", to_string(batch->last_failure.outcome)},
                                                 {"reason", batch->last_failure.reason}});
        }
        rest = batch->entries.size() < o->batch_size || batch->storage_failed;
      }
      if (rest && !stopping) {
        tick_timer.expires_after(o->tick);
        co_await tick_timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
    log::info("FindContent poller stopped");
    running = false;
  }
};

FindContentPoller::FindContentPoller(asio::any_io_executor executor, std::shared_ptr<net::HttpClient> client,
                                     store::Store& store, store::WriteQueue& queue, WatchSet& watch_set,
                                     PollerOptions options, PollerMetrics* metrics, RefreshCallback refresh)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(client), store, queue, watch_set, std::move(options),
                                   metrics, std::move(refresh))) {}

FindContentPoller::~FindContentPoller() { stop(); }

void FindContentPoller::start() {
  if (impl_->started.exchange(true)) return;
  impl_->running = true;
  asio::co_spawn(impl_->strand, impl_->loop(), asio::detached);
}

void FindContentPoller::stop() {
  impl_->stopping = true;
  asio::post(impl_->strand, [impl = impl_] { impl->tick_timer.cancel(); });
}

asio::awaitable<Status> FindContentPoller::lookup(PersonId person) {
  auto impl = impl_;  // kept alive across the suspension
  co_return co_await impl->lookup(std::move(person));
}

bool FindContentPoller::running() const noexcept { return impl_->running; }

void FindContentPoller::reconfigure(PollerOptions options) { impl_->reconfigure(std::move(options)); }

PollerOptions FindContentPoller::options() const { return *impl_->current(); }

std::uint64_t FindContentPoller::Stats::calls_total() const {
  std::uint64_t n = 0;
  for (auto c : calls) n += c;
  return n;
}

FindContentPoller::Stats FindContentPoller::stats() const {
  Stats s;
  for (std::size_t i = 0; i < s.calls.size(); ++i) s.calls[i] = impl_->calls[i];
  s.persons_polled = impl_->polled;
  s.persons_failed = impl_->failed;
  s.expired = impl_->expired;
  s.engagements_created = impl_->created;
  s.engagements_deleted = impl_->deleted;
  s.refreshes_requested = impl_->refreshes;
  s.refreshes_refused = impl_->refused;
  s.store_errors = impl_->store_errors;
  s.watch_set_persons = impl_->watch_set_persons;
  s.schedule_lag_seconds = impl_->lag;
  return s;
}

}  // namespace bokade::ei
