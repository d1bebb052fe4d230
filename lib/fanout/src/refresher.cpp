#include "bokade/fanout/refresher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <openssl/rand.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "bokade/core/hsa_id.hpp"
#include "bokade/core/log.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/fanout/refresh_metrics.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "bokade/store/async_commit.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"
#include "bokade/tak/tak_snapshot.hpp"

namespace bokade::fanout {
namespace asio = boost::asio;

namespace {

std::string new_correlation_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

UtcTime now_utc() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// One booking system's load control. It lives as long as the Refresher: a reload changes its limits in
// place (calls waiting or in flight keep their places), and one the reload removed is only marked.
struct Source {
  Source(std::string n, const config::SourceLimits& l, const config::Refresh& r)
      : name(std::move(n)),
        concurrency(l.max_concurrency),
        bucket(l.rate_per_second, l.burst),
        breaker(r.breaker_failures, r.breaker_open_for) {}
  void apply(const config::SourceLimits& l, const config::Refresh& r) {
    concurrency.set_limit(l.max_concurrency);
    bucket.set_rate(l.rate_per_second, l.burst);
    breaker.set_policy(r.breaker_failures, r.breaker_open_for);
  }
  std::string name;
  AsyncSemaphore concurrency;
  TokenBucket bucket;
  CircuitBreaker breaker;
  // False once a reload dropped the booking system: no address maps to it any more, so it takes no new
  // calls and does not count in the share of open breakers; calls already under way end normally.
  std::atomic<bool> configured{true};
};

// What one call ended with.
struct CallOutcome {
  Outcome outcome = Outcome::ok;
  std::string error_code;
  std::string error_text;
  std::string causing_agent;
  std::vector<Appointment> appointments;
};

CallOutcome classify(const Expected<net::ClientResponse, net::ClientError>& response) {
  CallOutcome out;
  if (!response) {
    out.outcome = response.error().outcome;
    out.error_text = response.error().message;
    out.causing_agent = "bokade";
    return out;
  }
  auto read = rivta::read_schedule_response(response->body);
  if (read) {
    if (response->status != 200) {
      out.outcome = Outcome::http_status;
      out.error_code = std::to_string(response->status);
      out.error_text = fmt::format("HTTP {} with a schedule body", response->status);
      out.causing_agent = "producer";
      return out;
    }
    out.appointments = std::move(read->appointments);
    return out;
  }
  const auto& err = read.error();
  if (!err.fault_code.empty() || err.outcome != Outcome::parse_error) {
    out.outcome = err.outcome;
    out.error_code = err.fault_code;
    out.error_text = err.reason;
    out.causing_agent = err.fault_code.rfind("VP", 0) == 0 ? "virtualization_platform" : "producer";
    return out;
  }
  if (response->status != 200) {
    out.outcome = Outcome::http_status;
    out.error_code = std::to_string(response->status);
    out.error_text = fmt::format("HTTP {} without a SOAP fault", response->status);
  } else {
    out.outcome = Outcome::parse_error;
    out.error_text = err.reason;
  }
  out.causing_agent = "producer";
  return out;
}

bool retryable(const CallOutcome& c) {
  if (c.outcome == Outcome::soap_fault) {
    return rivta::classify_fault_text(c.error_code).retryable;
  }
  return is_retryable(c.outcome);
}

}  // namespace

struct Refresher::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, std::shared_ptr<net::HttpClient> c, tak::TakSource* t, store::Store& s,
       store::WriteQueue& q, const config::Config& cfg, RefreshMetrics* m)
      : executor(std::move(ex)),
        client(std::move(c)),
        tak(t),
        store(s),
        queue(q),
        config(std::make_shared<const config::Config>(cfg)),
        metrics(m),
        global(cfg.refresh.max_concurrency) {
    for (const auto& b : cfg.booking_systems) sources.emplace(b.name, std::make_unique<Source>(b.name, b.limits, cfg.refresh));
    sources.emplace(std::string(other_booking_system),
                    std::make_unique<Source>(std::string(other_booking_system), cfg.booking_system_defaults, cfg.refresh));
  }

  asio::any_io_executor executor;
  std::shared_ptr<net::HttpClient> client;
  tak::TakSource* tak;
  store::Store& store;
  store::WriteQueue& queue;
  mutable std::mutex config_mutex;
  std::shared_ptr<const config::Config> config;  // swapped whole by reconfigure(); read through snapshot()
  RefreshMetrics* metrics;
  AsyncSemaphore global;  // refresh.max_concurrency: restart-only, like the RefreshQueue's workers
  // Entries are only ever added (a Source is never destroyed while the Refresher lives), so a Source&
  // taken under the lock stays valid after it is released.
  mutable std::shared_mutex sources_mutex;
  std::map<std::string, std::unique_ptr<Source>> sources;
  std::mt19937_64 rng{std::random_device{}()};
  std::mutex rng_mutex;
  mutable std::mutex address_mutex;
  // Normalised address → the sourceSystems its engagements name, the latest learned first (nearly always
  // one). Mapped to a booking system through the configuration in force at each lookup, so a reload that
  // adds or moves a source system takes effect at once.
  std::unordered_map<std::string, std::vector<std::string>> source_systems_of_address;

  // The configuration one call works with from start to end, whatever a reload does meanwhile.
  std::shared_ptr<const config::Config> snapshot() const {
    std::lock_guard lock(config_mutex);
    return config;
  }

  Source& source(const std::string& name) {
    std::shared_lock lock(sources_mutex);
    auto it = sources.find(name);
    return it != sources.end() ? *it->second : *sources.at(std::string(other_booking_system));
  }

  bool may_open_breaker(const config::Config& cfg) const {
    std::size_t open = 0;
    std::size_t configured = 0;
    {
      std::shared_lock lock(sources_mutex);
      for (const auto& [n, s] : sources) {
        if (!s->configured) continue;
        ++configured;
        open += s->breaker.is_open() ? 1 : 0;
      }
    }
    return static_cast<double>(open + 1) <= cfg.refresh.breaker_max_open_share * static_cast<double>(configured);
  }

  Clock::duration backoff(unsigned attempt, const config::Config& cfg) {
    const auto base = std::min<Clock::duration>(cfg.refresh.backoff_initial * (1u << std::min(attempt, 16u)),
                                                cfg.refresh.backoff_max);
    std::lock_guard lock(rng_mutex);
    // Full jitter: anywhere between half and all of the exponential step.
    std::uniform_real_distribution<double> d(0.5, 1.0);
    return std::chrono::duration_cast<Clock::duration>(base * d(rng));
  }

  static std::string target_url(const config::Config& cfg, const std::string& address,
                                const tak::TakSnapshot* snapshot) {
    if (cfg.vp.direct_routing && snapshot) {
      if (auto r = snapshot->route(tak::get_subject_of_care_schedule_contract, address, now_utc())) return r->url;
    }
    return cfg.vp.url + std::string(schedule_service_path);
  }

  std::string booking_system_for(const config::Config& cfg, const std::vector<ei::StoredEngagement>& engagements,
                                 std::string_view logical_address) const {
    const auto key = normalise_hsa(logical_address);
    for (const auto& e : engagements) {
      if (normalise_hsa(e.key.logical_address) != key) continue;
      if (const auto* b = config::booking_system_of(cfg, e.key.source_system)) return b->name;
    }
    std::lock_guard lock(address_mutex);
    if (auto it = source_systems_of_address.find(key); it != source_systems_of_address.end()) {
      for (const auto& source_system : it->second) {
        if (const auto* b = config::booking_system_of(cfg, source_system)) return b->name;
      }
    }
    return std::string(other_booking_system);
  }

  void reconfigure(const config::Config& next);

  // `answered` runs once the answer is known, just before it is stored.
  asio::awaitable<AddressResult> ask(PersonId person, std::string address, std::string system,
                                     std::string correlation_id, Clock::time_point deadline,
                                     std::shared_ptr<const config::Config> cfg, std::function<void()> answered);

  // One call per (person, address) at a time: a refresh asking for an address whose call is already
  // running (a query's refresh meeting the index's, say) waits for that call and takes its result. Two
  // calls of one slice never overlap, so an older answer can never be stored over a newer one.
  using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  struct SliceCall {
    std::mutex mutex;
    bool done = false;
    AddressResult result;
    std::vector<std::shared_ptr<Signal>> waiters;
  };
  std::mutex slice_calls_mutex;
  std::unordered_map<std::string, std::shared_ptr<SliceCall>> slice_calls;  // by slice key

  // Takes the call out of the map: refreshes asked for from now on make their own call (this one's answer
  // is known and about to be stored; an operator's refresh must reach the booking system).
  void retire_slice_call(const std::string& key, const std::shared_ptr<SliceCall>& call) {
    std::lock_guard lock(slice_calls_mutex);
    if (auto it = slice_calls.find(key); it != slice_calls.end() && it->second == call) slice_calls.erase(it);
  }

  void finish_slice_call(const std::string& key, const std::shared_ptr<SliceCall>& call, AddressResult result) {
    retire_slice_call(key, call);
    std::vector<std::shared_ptr<Signal>> waiters;
    {
      std::lock_guard lock(call->mutex);
      call->result = std::move(result);
      call->done = true;
      waiters.swap(call->waiters);
    }
    for (auto& w : waiters) w->try_send(boost::system::error_code{});
  }

  asio::awaitable<AddressResult> ask_once(PersonId person, std::string address, std::string system,
                                          std::string correlation_id, Clock::time_point deadline,
                                          std::shared_ptr<const config::Config> cfg) {
    const auto key = store::slice_key(person, address);
    std::shared_ptr<SliceCall> call;
    bool mine = false;
    {
      std::lock_guard lock(slice_calls_mutex);
      auto [it, inserted] = slice_calls.try_emplace(key, nullptr);
      if (inserted) it->second = std::make_shared<SliceCall>();
      call = it->second;
      mine = inserted;
    }
    if (mine) {
      AddressResult result;
      try {
        // A named function, not a temporary inside co_await (GCC 12 may destroy such temporaries twice).
        std::function<void()> answered = [this, key, call] { retire_slice_call(key, call); };
        result = co_await ask(std::move(person), std::move(address), std::move(system), std::move(correlation_id),
                              deadline, std::move(cfg), std::move(answered));
      } catch (...) {
        AddressResult failed;
        failed.outcome = Outcome::cancelled;
        failed.error_text = "the call ended with an internal error";
        finish_slice_call(key, call, std::move(failed));
        throw;
      }
      finish_slice_call(key, call, result);
      co_return result;
    }
    auto signal = std::make_shared<Signal>(co_await asio::this_coro::executor, 1);
    {
      std::lock_guard lock(call->mutex);
      if (call->done) co_return call->result;
      call->waiters.push_back(signal);
    }
    co_await signal->async_receive(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(call->mutex);
    co_return call->result;
  }

  asio::awaitable<void> record(const PersonId& person, const std::string& address, const CallOutcome& call,
                               bool success);
};

void Refresher::Impl::reconfigure(const config::Config& next) {
  auto fresh = std::make_shared<const config::Config>(next);
  std::vector<std::string> added;
  {
    std::unique_lock lock(sources_mutex);
    std::set<std::string> named{std::string(other_booking_system)};
    for (const auto& b : next.booking_systems) {
      named.insert(b.name);
      auto it = sources.find(b.name);
      if (it == sources.end()) {
        sources.emplace(b.name, std::make_unique<Source>(b.name, b.limits, next.refresh));
        added.push_back(b.name);
      } else {
        it->second->apply(b.limits, next.refresh);
        it->second->configured = true;  // removed by an earlier reload and named again
      }
    }
    sources.at(std::string(other_booking_system))->apply(next.booking_system_defaults, next.refresh);
    for (auto& [name, s] : sources) {
      if (!named.contains(name)) s->configured = false;
    }
  }
  // Series first, then the configuration that maps addresses to the new names: no call can be counted
  // under a booking system whose series do not exist yet.
  if (metrics) {
    for (const auto& name : added) metrics->add_booking_system(name);
  }
  std::lock_guard lock(config_mutex);
  config = std::move(fresh);
}

asio::awaitable<AddressResult> Refresher::Impl::ask(PersonId person, std::string address, std::string system,
                                                    std::string correlation_id, Clock::time_point deadline,
                                                    std::shared_ptr<const config::Config> cfg,
                                                    std::function<void()> answered) {
  auto self = shared_from_this();
  const config::Config& conf = *cfg;
  AddressResult result;
  result.logical_address = address;
  result.booking_system = system;
  auto& src = source(system);

  // TAK: an address we may not call is never called.
  const auto snapshot = tak ? tak->current() : nullptr;
  const auto callability = snapshot ? snapshot->callable(conf.identity.hsa_id,
                                                         tak::get_subject_of_care_schedule_contract, address, now_utc())
                                    : tak::Callability::not_authorized;
  if (callability != tak::Callability::callable) {
    CallOutcome c;
    c.outcome = callability == tak::Callability::no_route ? Outcome::no_route : Outcome::not_authorized;
    c.error_text = snapshot ? (c.outcome == Outcome::no_route ? "TAK has no route to this address"
                                                               : "TAK gives bokade no permission for this address")
                            : "no TAK snapshot is loaded yet";
    c.causing_agent = "bokade";
    if (metrics) metrics->not_called(system, c.outcome);
    result.outcome = c.outcome;
    result.error_text = c.error_text;
    answered();
    co_await record(person, address, c, false);
    co_return result;
  }

  // The Actor header names on whose behalf the call is made: the citizen, as 1177's own calls do.
  auto request_body = rivta::write_schedule_request({address, rivta::AddressingStyle::logical_address,
                                                     rivta::Actor{person.str(), "subject_of_care"}, address,
                                                     person.str()});
  if (!request_body) {
    result.outcome = Outcome::parse_error;
    result.error_text = request_body.error().message;
    co_return result;
  }

  CallOutcome call;
  asio::steady_timer timer(executor);
  for (unsigned attempt = 0;; ++attempt) {
    if (!src.breaker.allow()) {
      call = CallOutcome{Outcome::circuit_open, {}, "the booking system's circuit breaker is open", "bokade", {}};
      if (metrics) metrics->not_called(system, Outcome::circuit_open);
      break;
    }
    auto global_permit = co_await global.acquire();
    auto source_permit = co_await src.concurrency.acquire();
    const auto now = Clock::now();
    const auto wait = src.bucket.try_reserve(deadline > now ? deadline - now : Clock::duration::zero(), now);
    if (!wait) {
      call = CallOutcome{Outcome::rate_limited, {}, "the booking system's rate limit left no time before the deadline",
                         "bokade", {}};
      if (metrics) metrics->not_called(system, Outcome::timeout);
      break;
    }
    if (*wait > Clock::duration::zero()) {
      if (metrics) metrics->rate_limit_wait(system, std::chrono::duration<double>(*wait).count());
      timer.expires_after(*wait);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= std::chrono::milliseconds(0)) {
      call = CallOutcome{Outcome::timeout, {}, "the refresh deadline passed before the call", "bokade", {}};
      if (metrics) metrics->not_called(system, Outcome::timeout);
      break;
    }
    net::ClientRequest req;
    req.method = "POST";
    req.url = target_url(conf, address, snapshot.get());
    req.body = *request_body;
    req.timeout = std::min<std::chrono::milliseconds>(conf.vp.call_timeout, left);
    req.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                   {"SOAPAction", "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1:GetSubjectOfCareSchedule"},
                   {"x-rivta-original-serviceconsumer-hsaid", conf.identity.hsa_id},
                   {"x-skltp-correlation-id", correlation_id}};
    if (metrics) metrics->in_flight(system, 1);
    const auto started = Clock::now();
    auto response = co_await client->request(std::move(req));
    if (metrics) metrics->in_flight(system, -1);
    source_permit.release();
    global_permit.release();
    call = classify(response);
    result.called = true;
    result.attempts = attempt + 1;
    if (metrics) metrics->call(system, call.outcome, std::chrono::duration<double>(Clock::now() - started).count());
    if (call.outcome == Outcome::ok) {
      src.breaker.record_success();
      if (metrics) metrics->breaker_open(system, false);
      break;
    }
    src.breaker.record_failure(may_open_breaker(conf));
    if (metrics) metrics->breaker_open(system, src.breaker.is_open());
    if (!retryable(call) || attempt >= conf.refresh.retries) break;
    const auto pause = backoff(attempt, conf);
    if (Clock::now() + pause >= deadline) break;
    timer.expires_after(pause);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  result.outcome = call.outcome;
  result.error_code = call.error_code;
  result.error_text = call.error_text;
  result.appointments = call.appointments.size();
  answered();
  co_await record(person, address, call, call.outcome == Outcome::ok);
  co_return result;
}

// One WriteBatch per (person, address): the new appointments and status, or on failure the old
// appointments with the status marked out of sync.
asio::awaitable<void> Refresher::Impl::record(const PersonId& person, const std::string& address,
                                              const CallOutcome& call, bool success) {
  const auto key = store::slice_key(person, address);
  const auto now = now_utc();
  auto job = [key, address, call, success, now](const store::Store& s, store::Batch& batch) -> Status {
    store::Slice slice;
    auto old = s.get(store::Column::slices, key, batch);
    if (!old) return Unexpected<Error>{old.error()};
    if (*old) {
      if (auto decoded = store::decode_slice(**old)) slice = std::move(*decoded);
    }
    slice.status.logical_address = address;
    slice.status.last_outcome = call.outcome;
    if (success) {
      slice.appointments = call.appointments;
      slice.status.code = ProcessingStatusCode::DataFromSource;
      slice.status.last_success = now;
      slice.status.error_code.clear();
      slice.status.error_text.clear();
      slice.status.causing_agent.clear();
    } else {
      slice.status.code = slice.status.last_success ? ProcessingStatusCode::DataFromCacheSynchFailed
                                                    : ProcessingStatusCode::NoDataSynchFailed;
      slice.status.last_failure = now;
      slice.status.error_code = call.error_code;
      slice.status.error_text = call.error_text;
      slice.status.causing_agent = call.causing_agent;
    }
    batch.put(store::Column::slices, key, store::encode_slice(slice));
    return {};
  };
  auto [status, accepted] = co_await store::async_commit(queue, std::move(job), asio::use_awaitable,
                                                         store::WriteQueue::Admission::always);
  if (!accepted || !status) {
    log::error("slice not stored", {{"person", person.masked()},
                                    {"error", !accepted ? std::string("write queue full") : status.error().message}});
  }
}

Refresher::Refresher(asio::any_io_executor executor, std::shared_ptr<net::HttpClient> client, tak::TakSource* tak,
                     store::Store& store, store::WriteQueue& queue, const config::Config& config, RefreshMetrics* metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(client), tak, store, queue, config, metrics)) {}

Refresher::~Refresher() = default;

std::string Refresher::booking_system_for(const PersonId& person, std::string_view logical_address) const {
  auto engagements = ei::engagements_of(impl_->store, person);
  return booking_system_for(engagements ? *engagements : std::vector<ei::StoredEngagement>{}, logical_address);
}

std::string Refresher::booking_system_for(const std::vector<ei::StoredEngagement>& engagements,
                                          std::string_view logical_address) const {
  return impl_->booking_system_for(*impl_->snapshot(), engagements, logical_address);
}

void Refresher::learn(std::string_view logical_address, std::string_view source_system) {
  // Kept whether or not a booking system lists it now: a reload may add one that does.
  if (source_system.empty()) return;
  const auto normalised = normalise_hsa(source_system);
  std::lock_guard lock(impl_->address_mutex);
  auto& known = impl_->source_systems_of_address[normalise_hsa(logical_address)];
  std::erase(known, normalised);
  known.insert(known.begin(), normalised);
  // An address is one clinic of one booking system; a few names at most (a migration, a typo fixed).
  constexpr std::size_t most = 4;
  if (known.size() > most) known.resize(most);
}

void Refresher::reconfigure(const config::Config& config) { impl_->reconfigure(config); }

Status Refresher::learn_from_store() {
  return impl_->store.for_each(store::Column::engagements, {}, [this](std::string_view k, std::string_view v) {
    auto key = store::engagement_key_fields(k);
    auto record = store::decode_engagement_record(v);
    if (key && record && !record->deleted) learn(key->logical_address, key->source_system);
    return true;
  });
}

asio::awaitable<RefreshResult> Refresher::refresh(PersonId person, std::vector<std::string> addresses) {
  auto impl = impl_;
  const auto cfg = impl->snapshot();  // one configuration for the whole refresh
  RefreshResult result;
  result.correlation_id = new_correlation_id();
  const auto deadline = Clock::now() + cfg->vp.refresh_deadline;
  const auto own = normalise_hsa(cfg->identity.logical_address);
  std::set<std::string> distinct;
  for (auto& a : addresses) {
    auto n = normalise_hsa(a);
    if (!n.empty() && n != own) distinct.insert(std::move(n));
  }

  using Op = decltype(asio::co_spawn(impl->executor, impl->ask_once(person, {}, {}, {}, deadline, cfg), asio::deferred));
  std::vector<Op> ops;
  std::vector<ei::StoredEngagement> known;  // read once, not once per address
  if (auto engagements = ei::engagements_of(impl->store, person)) known = std::move(*engagements);
  for (const auto& address : distinct) {
    ops.push_back(asio::co_spawn(impl->executor,
                                 impl->ask_once(person, address, impl->booking_system_for(*cfg, known, address),
                                           result.correlation_id, deadline, cfg),
                                 asio::deferred));
  }
  if (!ops.empty()) {
    auto [order, exceptions, results] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (exceptions[i]) {
        AddressResult failed;
        failed.outcome = Outcome::cancelled;
        failed.error_text = "the call ended with an internal error";
        result.addresses.push_back(std::move(failed));
      } else {
        result.addresses.push_back(std::move(results[i]));
      }
    }
  }
  if (impl->metrics) impl->metrics->refresh_done();
  std::size_t ok = 0;
  for (const auto& a : result.addresses) ok += a.outcome == Outcome::ok ? 1 : 0;
  log::info("refresh done", {{"person", person.masked()},
                             {"correlation_id", result.correlation_id},
                             {"addresses", result.addresses.size()},
                             {"ok", ok}});
  co_return result;
}

std::vector<Refresher::SourceState> Refresher::sources() const {
  std::vector<SourceState> out;
  std::shared_lock lock(impl_->sources_mutex);
  for (const auto& [name, s] : impl_->sources) {
    const auto in_flight = s->concurrency.in_use();
    const auto waiting = s->concurrency.waiting();
    // One a reload removed is shown only while calls it took before are still under way.
    if (!s->configured && in_flight == 0 && waiting == 0) continue;
    out.push_back({name, s->breaker.state(), in_flight, waiting, s->concurrency.limit(), s->bucket.rate(),
                   s->bucket.burst(), s->breaker.failure_threshold(), s->breaker.open_for()});
  }
  return out;
}

}  // namespace bokade::fanout
