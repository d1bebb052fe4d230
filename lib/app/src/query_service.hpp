#pragma once
// QueryService: "what is booked for this person", fresh enough — the part of a query that comes before
// rendering (JSON, ICS or SOAP).
//
// - The person's clinics are the logical addresses of their engagements (EI path) and relations (legacy
//   path). Someone bokade knows nothing of yet (never queried, notified, imported or polled) is first
//   looked up in the engagement index (FindContent), so a first query is complete.
// - A slice younger than maxAge whose last call succeeded is answered from the store (DataFromCache).
//   The other addresses are refreshed, and the answer waits up to `wait` for them: an address that
//   answered in time is DataFromSource; one that failed, or did not answer in time, shows what the store
//   holds, marked DataFromCacheSynchFailed, or NoDataSynchFailed when there is nothing. A refresh that
//   outlives the wait goes on and stores its result for the next query.
// - Concurrent queries for one person share one refresh (single flight).
// - A queried person joins the watch set, so FindContent polls keep them fresh.

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bokade/core/expected.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/ei/find_content_poller.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/fanout/refresher.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"
#include "bokade/view/person_view.hpp"

namespace bokade::app {

struct QueryRequest {
  PersonId person;
  std::chrono::milliseconds max_age{0};
  std::chrono::milliseconds wait{0};
  std::string correlation_id;
};

struct QueryAnswer {
  std::vector<view::SourceInput> inputs;
  std::size_t refreshed = 0;    // addresses asked during this query (by it, or by one it joined)
  bool joined = false;          // a refresh already running for the person was shared
  bool looked_up = false;       // the engagement index was asked first
};

// The parts of the daemon a query uses; all must outlive the service.
struct QueryParts {
  store::Store& store;
  store::WriteQueue& write_queue;
  fanout::Refresher& refresher;
  ei::WatchSet& watch_set;
  ei::FindContentPoller& poller;
};

class QueryService {
 public:
  QueryService(boost::asio::any_io_executor executor, QueryParts parts);
  ~QueryService();
  QueryService(const QueryService&) = delete;
  QueryService& operator=(const QueryService&) = delete;

  boost::asio::awaitable<Expected<QueryAnswer>> query(QueryRequest request);

  // Persons with a refresh running now (for tests and metrics).
  [[nodiscard]] std::size_t flights() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::app
