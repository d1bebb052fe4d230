#include "query_service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "bokade/config/units.hpp"
#include "bokade/core/hsa_id.hpp"
#include "bokade/coverage/relations.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/core/log.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::app {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

UtcTime utc_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// One refresh of one person that concurrent queries share.
struct Flight {
  std::mutex mutex;
  bool done = false;
  std::vector<std::shared_ptr<Signal>> waiters;  // each gets one message when the refresh ends
};

}  // namespace

struct QueryService::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, QueryParts p) : executor(std::move(ex)), parts(std::move(p)) {}

  asio::any_io_executor executor;
  QueryParts parts;
  mutable std::mutex flights_mutex;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights;  // by canonical person id

  // The running refresh of `person`, or a new one of `addresses`; second = true when joined.
  std::pair<std::shared_ptr<Flight>, bool> join_or_start(const PersonId& person, std::vector<std::string> addresses,
                                                         const std::string& correlation_id) {
    std::lock_guard lock(flights_mutex);
    if (auto it = flights.find(person.str()); it != flights.end()) return {it->second, true};
    auto flight = std::make_shared<Flight>();
    flights.emplace(person.str(), flight);
    asio::co_spawn(
        executor,
        [self = shared_from_this(), person, addresses = std::move(addresses), flight,
         correlation_id]() mutable -> asio::awaitable<void> {
          auto result = co_await self->parts.refresher.refresh(person, std::move(addresses));
          log::debug("query refresh done", {{"person", person.masked()}, {"correlation_id", correlation_id},
                                            {"refresh_correlation_id", result.correlation_id}});
          self->finish(person, flight);
        },
        [self = shared_from_this(), person, flight](std::exception_ptr e) {
          if (e) {
            log::error("query refresh ended by an exception", {{"person", person.masked()}});
            self->finish(person, flight);
          }
        });
    return {flight, false};
  }

  void finish(const PersonId& person, const std::shared_ptr<Flight>& flight) {
    {
      std::lock_guard lock(flights_mutex);
      if (auto it = flights.find(person.str()); it != flights.end() && it->second == flight) flights.erase(it);
    }
    std::vector<std::shared_ptr<Signal>> waiters;
    {
      std::lock_guard lock(flight->mutex);
      flight->done = true;
      waiters.swap(flight->waiters);
    }
    for (auto& w : waiters) w->try_send(boost::system::error_code{});
  }

  // Waits until the flight ends or `wait` passes.
  asio::awaitable<void> await_flight(const std::shared_ptr<Flight>& flight, std::chrono::milliseconds wait) {
    auto ex = co_await asio::this_coro::executor;
    auto signal = std::make_shared<Signal>(ex, 1);
    {
      std::lock_guard lock(flight->mutex);
      if (flight->done || wait <= std::chrono::milliseconds::zero()) co_return;
      flight->waiters.push_back(signal);
    }
    asio::steady_timer timer(ex, wait);
    auto which = co_await (signal->async_receive(asio::as_tuple(asio::use_awaitable)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (which.index() == 0) co_return;
    std::lock_guard lock(flight->mutex);
    std::erase(flight->waiters, signal);
  }

  Expected<std::map<std::string, store::Slice>> slices_of(const PersonId& person) {
    std::map<std::string, store::Slice> out;
    // Decoded where RocksDB holds them: a slice is a few kB, and copying it first only to decode it cost
    // as much as decoding.
    auto st = parts.store.visit_prefix(store::Column::slices, store::person_key(person),
                                       [&](std::string_view, std::string_view value) {
                                         auto slice = store::decode_slice(value);
                                         if (!slice) {
                                           log::warn("a stored slice could not be read; treated as absent",
                                                     {{"person", person.masked()}, {"error", slice.error().message}});
                                           return true;
                                         }
                                         std::string address = slice->status.logical_address;
                                         out.emplace(std::move(address), std::move(*slice));
                                         return true;
                                       });
    if (!st) return Unexpected<Error>{st.error()};
    return out;
  }

  asio::awaitable<Expected<QueryAnswer>> query(QueryRequest q) {
    QueryAnswer answer;
    const auto started = utc_now();
    const auto& person = q.person;

    auto record = parts.watch_set.record(person);
    if (!record) co_return Unexpected<Error>{record.error()};
    if (!*record) {
      // Nobody has asked about this person and the index has told us nothing: ask it now, so the first
      // answer is complete. A failure is not fatal: the engagements we have (if any) are still shown.
      if (auto st = co_await parts.poller.lookup(person); !st) {
        log::warn("engagement index lookup failed; answering with what is stored",
                  {{"person", person.masked()}, {"correlation_id", q.correlation_id}, {"error", st.error().message}});
      } else {
        answer.looked_up = true;
      }
    }
    // Joining the watch set is a durable write; a person queried again within the hour is watched
    // already, and the query is then read-only.
    const bool watched_lately = *record && (*record)->scheduled && (*record)->last_query &&
                                started - *(*record)->last_query < std::chrono::hours(1);
    if (!watched_lately) {
      parts.write_queue.submit(parts.watch_set.watch_job(person, ei::WatchReason::queried, started), nullptr,
                               store::WriteQueue::Admission::always);
    }

    // The person's clinics: engagements (EI path) and relations (legacy path).
    auto engagements = ei::engagements_of(parts.store, person);
    if (!engagements) co_return Unexpected<Error>{engagements.error()};
    auto relations = coverage::relations_of(parts.store, person);
    if (!relations) co_return Unexpected<Error>{relations.error()};
    std::set<std::string> addresses = std::move(*relations);
    // The engagements by normalised address, in their order, for booking_system_for() below: it looks
    // through the list it is given for the address, so each address is given only its own.
    std::map<std::string, std::vector<ei::StoredEngagement>, std::less<>> engagements_by_address;
    for (auto& e : *engagements) {
      std::string address = normalise_hsa(e.key.logical_address);
      addresses.insert(address);
      engagements_by_address[std::move(address)].push_back(std::move(e));
    }
    const std::vector<ei::StoredEngagement> no_engagements;
    auto before = slices_of(person);
    if (!before) co_return Unexpected<Error>{before.error()};

    const auto now = std::chrono::system_clock::now();
    std::vector<std::string> stale;
    std::vector<bool> fresh;  // per address, in the set's order (walked again in that order below)
    fresh.reserve(addresses.size());
    for (const auto& address : addresses) {
      auto it = before->find(address);
      const bool is_fresh = it != before->end() && it->second.status.last_outcome == Outcome::ok &&
                            it->second.status.last_success && now - *it->second.status.last_success <= q.max_age;
      fresh.push_back(is_fresh);
      if (!is_fresh) stale.push_back(address);
    }

    if (!stale.empty()) {
      answer.refreshed = stale.size();
      auto [flight, joined] = join_or_start(person, stale, q.correlation_id);
      answer.joined = joined;
      // Whether it ended in time shows per address below, in the stored statuses.
      co_await await_flight(flight, q.wait);
    }

    auto after = stale.empty() ? std::move(before) : slices_of(person);
    if (!after) co_return Unexpected<Error>{after.error()};
    answer.inputs.reserve(addresses.size());
    std::size_t index = 0;
    for (const auto& address : addresses) {
      const bool was_fresh = fresh[index++];
      view::SourceInput in;
      if (auto it = after->find(address); it != after->end()) in.slice = std::move(it->second);
      auto& st = in.slice.status;
      st.logical_address = address;
      const auto own = engagements_by_address.find(address);
      in.booking_system = parts.refresher.booking_system_for(
          own != engagements_by_address.end() ? own->second : no_engagements, address);
      if (was_fresh) {
        in.code = ProcessingStatusCode::DataFromCache;
      } else if (st.last_success && *st.last_success >= started && st.last_outcome == Outcome::ok) {
        in.code = ProcessingStatusCode::DataFromSource;
      } else if (st.last_failure && *st.last_failure >= started) {
        in.code = st.last_success ? ProcessingStatusCode::DataFromCacheSynchFailed
                                  : ProcessingStatusCode::NoDataSynchFailed;
      } else {
        // Not answered within the wait (the refresh goes on) — what the store holds is shown.
        in.code = st.last_success ? ProcessingStatusCode::DataFromCacheSynchFailed
                                  : ProcessingStatusCode::NoDataSynchFailed;
        if (st.last_outcome == Outcome::ok || st.error_text.empty()) {
          st.last_outcome = Outcome::timeout;
          st.error_code.clear();
          st.error_text = fmt::format("no answer within {}; the refresh goes on",
                                      config::format_duration(q.wait));
          st.causing_agent = "bokade";
        }
      }
      answer.inputs.push_back(std::move(in));
    }
    co_return answer;
  }
};

QueryService::QueryService(asio::any_io_executor executor, QueryParts parts)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(parts))) {}

QueryService::~QueryService() = default;

asio::awaitable<Expected<QueryAnswer>> QueryService::query(QueryRequest request) {
  auto impl = impl_;
  co_return co_await impl->query(std::move(request));
}

std::size_t QueryService::flights() const {
  std::lock_guard lock(impl_->flights_mutex);
  return impl_->flights.size();
}

}  // namespace bokade::app
