// The FindContent poller against bokade-sim as a separate process (FindContent through its VP):
// watched persons are polled, their stored engagements equal the simulator's ground truth, a cancelled
// booking goes away at the next poll, the EI calls/s cap holds, and overdue persons are caught up at
// the capped rate.

#ifdef BOKADE_SIM_PATH

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fmt/format.h>

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bokade/core/hsa_id.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/ei/find_content_poller.hpp"
#include "http_client.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

json::value get_json(const std::string& address, const std::string& target) {
  auto r = http_get(address, target);
  REQUIRE_MESSAGE(r.status == 200, target << ": " << r.status << " " << r.error << r.body);
  return json::parse(r.body);
}

UtcTime utc_now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// (bookingId, normalised logical address) pairs.
using EngagementSet = std::set<std::pair<std::string, std::string>>;

struct Sim {
  Sim() {
    process = std::make_unique<Process>(
        std::vector<std::string>{BOKADE_SIM_PATH, "--listen", "127.0.0.1:0", "--ready-file",
                                 (dir.path() / "sim.ready").string(), "--persons", "300", "--seed", "11",
                                 "--log-level", "warn"},
        dir.path() / "sim.log");
    REQUIRE_MESSAGE(wait_for_file(dir.path() / "sim.ready", 20s), read_file(dir.path() / "sim.log"));
    address = json::value_to<std::string>(json::parse(read_file(dir.path() / "sim.ready")).at("address"));
  }
  // Persons with at least `min_indexed` bookings indexed in EI.
  std::vector<std::string> persons(std::size_t n, std::int64_t min_indexed = 1) const {
    auto list = get_json(address, "/control/persons?limit=300&with_bookings=true");
    std::vector<std::string> out;
    for (const auto& p : list.at("persons").as_array()) {
      if (p.at("indexed").as_int64() >= min_indexed && out.size() < n) out.push_back(json::value_to<std::string>(p.at("id")));
    }
    REQUIRE(out.size() == n);
    return out;
  }
  json::value truth(const std::string& person) const { return get_json(address, "/control/persons/" + person + "/truth"); }
  EngagementSet indexed(const std::string& person) const {
    EngagementSet out;
    const auto t = truth(person);
    for (const auto& b : t.at("bookings").as_array()) {
      if (b.at("indexed").as_bool()) {
        out.emplace(json::value_to<std::string>(b.at("booking_id")),
                    normalise_hsa(json::value_to<std::string>(b.at("engagement_logical_address"))));
      }
    }
    return out;
  }
  std::int64_t find_content_calls() const { return get_json(address, "/control/calls").at("find_content").as_int64(); }

  TempDir dir;
  std::unique_ptr<Process> process;
  std::string address;
};

struct Poller {
  Poller(const Sim& sim, double rate, ei::WatchOptions watch_options, std::size_t batch = 64)
      : watch(*store, queue, watch_options) {
    auto c = net::HttpClient::create(ioc.get_executor(), {});
    REQUIRE(c.has_value());
    client = *c;
    ei::PollerOptions o;
    o.find_content_url = "http://" + sim.address + "/vp/itintegration/engagementindex/FindContent/1/rivtabp21";
    o.ei_logical_address = "5565594230";
    o.consumer_hsa_id = "SE5565594230-BOKADE";
    o.max_calls_per_second = rate;
    o.concurrency = 4;
    o.batch_size = batch;
    o.tick = 100ms;
    o.call_timeout = 3s;
    poller = std::make_unique<ei::FindContentPoller>(
        ioc.get_executor(), client, *store, queue, watch, o, nullptr,
        [this](const std::string& person, const std::set<std::string>& addresses) {
          std::lock_guard lock(mutex);
          refreshes[person].push_back(addresses);
          return true;
        });
    for (auto& t : threads) t = std::thread([this] { ioc.run(); });
  }
  ~Poller() {
    poller->stop();
    CHECK(eventually([&] { return !poller->running(); }, 5s));
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
    poller.reset();
  }
  void watch_person(const std::string& id, UtcTime now = utc_now()) {
    std::promise<Status> done;
    auto f = done.get_future();
    REQUIRE(queue.submit(watch.watch_job(*PersonId::parse(id), ei::WatchReason::queried, now),
                         [&done](Status s) { done.set_value(std::move(s)); }));
    REQUIRE(f.get().has_value());
  }
  EngagementSet stored(const std::string& person) const {
    EngagementSet out;
    for (const auto& e : *ei::engagements_of(*store, *PersonId::parse(person))) {
      out.emplace(e.key.business_object_instance_identifier, normalise_hsa(e.key.logical_address));
    }
    return out;
  }
  std::optional<UtcTime> last_poll(const std::string& person) const {
    auto r = watch.record(*PersonId::parse(person));
    return *r ? (*r)->last_poll : std::nullopt;
  }
  std::vector<std::set<std::string>> refreshes_of(const std::string& person) {
    std::lock_guard lock(mutex);
    return refreshes[person];
  }

  TempDir dir;
  std::unique_ptr<store::Store> store = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue queue{*store, 1024};
  ei::WatchSet watch;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::shared_ptr<net::HttpClient> client;
  std::unique_ptr<ei::FindContentPoller> poller;
  std::array<std::thread, 2> threads;
  std::mutex mutex;
  std::map<std::string, std::vector<std::set<std::string>>> refreshes;
};

ei::WatchOptions quick(std::chrono::seconds interval) {
  ei::WatchOptions o;
  o.interval = interval;
  o.jitter = 0.1;
  o.first_poll_within = 0s;
  o.expiry = std::chrono::hours(24);
  return o;
}

std::set<std::string> addresses_of(const EngagementSet& s) {
  std::set<std::string> out;
  for (const auto& e : s) out.insert(e.second);
  return out;
}

}  // namespace

TEST_CASE("watched persons are polled: their engagements equal the index and all their clinics are refreshed") {
  Sim sim;
  Poller p(sim, 50, quick(1h));
  const auto persons = sim.persons(8);
  for (const auto& id : persons) p.watch_person(id);
  p.poller->start();
  REQUIRE(eventually([&] { return p.poller->stats().persons_polled == persons.size(); }, 10s));
  for (const auto& id : persons) {
    const auto truth = sim.indexed(id);
    CHECK(!truth.empty());
    CHECK(p.stored(id) == truth);
    const auto refreshes = p.refreshes_of(id);
    REQUIRE(refreshes.size() == 1);
    CHECK(refreshes[0] == addresses_of(truth));
    // Next poll one interval (± 10 %) later.
    const auto r = **p.watch.record(*PersonId::parse(id));
    CHECK(r.last_poll.has_value());
    CHECK(r.next_due >= *r.last_poll + 54min);
    CHECK(r.next_due <= *r.last_poll + 66min);
  }
  CHECK(sim.find_content_calls() == static_cast<std::int64_t>(persons.size()));
  CHECK(p.poller->stats().calls_with(Outcome::ok) == persons.size());
  CHECK(p.poller->stats().watch_set_persons == persons.size());
}

TEST_CASE("a booking cancelled in the index disappears at the next poll; a new one appears") {
  Sim sim;
  Poller p(sim, 50, quick(2s));
  const auto id = sim.persons(1, 2)[0];
  p.watch_person(id);
  p.poller->start();
  REQUIRE(eventually([&] { return p.stored(id) == sim.indexed(id) && !p.stored(id).empty(); }, 5s));

  const auto cancelled = *p.stored(id).begin();
  auto del = http_request(sim.address, "DELETE", "/control/persons/" + id + "/bookings/" + cancelled.first);
  REQUIRE(del.status == 200);
  CHECK_FALSE(sim.indexed(id).contains(cancelled));
  REQUIRE_MESSAGE(eventually([&] { return !p.stored(id).contains(cancelled); }, 6s), "still stored after polls");
  CHECK(p.stored(id) == sim.indexed(id));
  // The refresh after that poll includes the clinic whose booking went away, so its slice is renewed.
  REQUIRE(eventually([&] {
    for (const auto& r : p.refreshes_of(id)) if (r.contains(cancelled.second)) return true;
    return false;
  }, 2s));
  const auto last = p.refreshes_of(id).back();
  auto expected = addresses_of(sim.indexed(id));
  expected.insert(cancelled.second);
  CHECK(last == expected);

  const auto truth = sim.truth(id);
  const auto clinic = json::value_to<std::string>(truth.at("bookings").as_array()[0].at("clinic"));
  auto booked = http_request(sim.address, "POST", "/control/persons/" + id + "/bookings",
                             fmt::format(R"({{"clinic":"{}","start":"20270115101500","minutes":30,"indexed":true}})", clinic),
                             {{"Content-Type", "application/json"}});
  REQUIRE(booked.status == 201);
  const auto new_id = json::value_to<std::string>(json::parse(booked.body).at("booking_id"));
  REQUIRE(eventually([&] {
    for (const auto& e : p.stored(id)) if (e.first == new_id) return true;
    return false;
  }, 6s));
  CHECK(p.stored(id) == sim.indexed(id));
}

TEST_CASE("after downtime, overdue persons are caught up at the EI calls/s cap, not in a burst") {
  Sim sim;
  constexpr double rate = 10;
  Poller p(sim, rate, quick(1h), 16);
  const auto persons = sim.persons(40);
  // "Downtime": every person was due three hours ago.
  const auto now = utc_now();
  for (const auto& id : persons) {
    p.watch_person(id, now - 4h);
    const auto pid = *PersonId::parse(id);
    std::promise<Status> done;
    auto f = done.get_future();
    REQUIRE(p.queue.submit(p.watch.reschedule_job(pid, (*p.watch.record(pid))->next_due, now - 3h, {}),
                           [&done](Status s) { done.set_value(std::move(s)); }));
    REQUIRE(f.get().has_value());
  }
  REQUIRE(sim.find_content_calls() == 0);

  const auto started = std::chrono::steady_clock::now();
  p.poller->start();
  std::vector<std::pair<double, std::int64_t>> samples;  // (seconds since start, calls seen by the simulator)
  double max_lag = 0;
  while (std::chrono::steady_clock::now() - started < 15s) {
    const auto calls = sim.find_content_calls();
    samples.emplace_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), calls);
    max_lag = std::max(max_lag, p.poller->stats().schedule_lag_seconds);
    if (calls >= static_cast<std::int64_t>(persons.size())) break;
    std::this_thread::sleep_for(200ms);
  }
  const auto [elapsed, total] = samples.back();
  REQUIRE(total == static_cast<std::int64_t>(persons.size()));
  // 40 calls at 10/s: the first at once, the last about 3.9 s later.
  CHECK(elapsed >= 3.5);
  CHECK(elapsed < 8.0);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    for (std::size_t j = i + 1; j < samples.size(); ++j) {
      const double window = samples[j].first - samples[i].first;
      if (window < 1.0) continue;
      // Sampling is not instantaneous: allow 0.2 s of slack each side, plus the bucket's one call.
      CHECK_MESSAGE(static_cast<double>(samples[j].second - samples[i].second) <= rate * (window + 0.4) + 1,
                    "window " << window << " s: " << samples[j].second - samples[i].second << " calls");
    }
  }
  CHECK(max_lag >= 3 * 3600 - 10);

  REQUIRE(eventually([&] { return p.poller->stats().persons_polled == persons.size(); }, 3s));
  // Everyone is now due again about one interval from their poll, spread by the pace and the jitter.
  std::set<UtcTime> dues;
  for (const auto& id : persons) {
    const auto r = **p.watch.record(*PersonId::parse(id));
    CHECK(r.next_due >= now + 54min);
    CHECK(r.next_due <= utc_now() + 66min);
    dues.insert(r.next_due);
  }
  CHECK(dues.size() > 10);
  REQUIRE(eventually([&] { return p.poller->stats().schedule_lag_seconds == 0.0; }, 2s));
  CHECK(sim.find_content_calls() == static_cast<std::int64_t>(persons.size()));
}

TEST_CASE("a person whose watch expired is taken off the schedule and no longer polled") {
  Sim sim;
  auto options = quick(3s);
  options.expiry = 2s;
  Poller p(sim, 50, options);
  const auto id = sim.persons(1)[0];
  p.watch_person(id);
  p.poller->start();
  REQUIRE(eventually([&] { return p.poller->stats().expired == 1; }, 8s));
  const auto r = **p.watch.record(*PersonId::parse(id));
  CHECK_FALSE(r.scheduled);
  CHECK(*p.watch.size() == 0);
  CHECK(p.watch.due(utc_now() + 24h, 10)->empty());
  const auto calls = sim.find_content_calls();
  CHECK(calls == 1);
  std::this_thread::sleep_for(2500ms);
  CHECK(sim.find_content_calls() == calls);
  CHECK(p.watch.expired(utc_now(), 10)->size() == 1);
}

TEST_CASE("an index that faults is counted by outcome and retried after retry_after, storing nothing") {
  Sim sim;
  Poller p(sim, 50, quick(1h));
  // A wrong logical address: the simulator's VP answers VP004 (no route).
  p.poller.reset();
  ei::PollerOptions o;
  o.find_content_url = "http://" + sim.address + "/vp/itintegration/engagementindex/FindContent/1/rivtabp21";
  o.ei_logical_address = "SE0000000000-NOTEI";
  o.tick = 100ms;
  o.retry_after = 300s;
  std::atomic<int> refreshes{0};
  p.poller = std::make_unique<ei::FindContentPoller>(p.ioc.get_executor(), p.client, *p.store, p.queue, p.watch, o,
                                                     nullptr, [&refreshes](const std::string&, const std::set<std::string>&) {
                                                       ++refreshes;
                                                       return true;
                                                     });
  const auto id = sim.persons(1)[0];
  p.watch_person(id);
  const auto before = utc_now();
  p.poller->start();
  REQUIRE(eventually([&] { return p.poller->stats().calls_total() == 1; }, 5s));
  REQUIRE(eventually([&] { return p.poller->stats().persons_failed == 1; }, 2s));
  CHECK(p.poller->stats().calls_with(Outcome::no_route) == 1);
  CHECK(p.stored(id).empty());
  CHECK(refreshes == 0);
  const auto r = **p.watch.record(*PersonId::parse(id));
  CHECK_FALSE(r.last_poll.has_value());
  CHECK(r.next_due >= before + 270s);
  CHECK(r.next_due <= utc_now() + 330s);
}

TEST_CASE("a lower calls/s cap given while the poller runs holds from the next calls, measured at the index") {
  Sim sim;
  constexpr double fast = 40;
  constexpr double slow = 4;
  Poller p(sim, fast, quick(1h), 16);
  const auto persons = sim.persons(60);
  const auto now = utc_now();
  for (const auto& id : persons) {
    p.watch_person(id, now - 2h);
    const auto pid = *PersonId::parse(id);
    std::promise<Status> done;
    auto f = done.get_future();
    REQUIRE(p.queue.submit(p.watch.reschedule_job(pid, (*p.watch.record(pid))->next_due, now - 1h, {}),
                           [&done](Status s) { done.set_value(std::move(s)); }));
    REQUIRE(f.get().has_value());
  }
  p.poller->start();
  // At 40/s a dozen calls take a fraction of a second.
  REQUIRE(eventually([&] { return sim.find_content_calls() >= 12; }, 3s));

  auto options = p.poller->options();
  options.max_calls_per_second = slow;
  p.poller->reconfigure(options);
  const auto changed = std::chrono::steady_clock::now();
  CHECK(p.poller->options().max_calls_per_second == slow);

  // Calls already given a slot (at most one per worker, a fraction of a second ahead) may still come;
  // from half a second on only the new cap counts. At the old cap the rest (≤ 48) would be done in 1.2 s.
  std::vector<std::pair<double, std::int64_t>> samples;  // (seconds since the change, calls seen)
  while (std::chrono::steady_clock::now() - changed < 3500ms) {
    const auto t = std::chrono::duration<double>(std::chrono::steady_clock::now() - changed).count();
    const auto calls = sim.find_content_calls();
    if (t >= 0.5) samples.emplace_back(t, calls);
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE(samples.size() >= 2);
  const double window = samples.back().first - samples.front().first;
  const auto made = samples.back().second - samples.front().second;
  MESSAGE(made << " FindContent calls in " << window << " s after the cap went from " << fast << " to " << slow
               << "/s");
  CHECK(window >= 2.5);
  CHECK(static_cast<double>(made) <= slow * (window + 0.4) + 1);
  CHECK(static_cast<double>(made) >= slow * window * 0.5);  // still polling, at about the new pace
  CHECK(sim.find_content_calls() < static_cast<std::int64_t>(persons.size()));
}

TEST_CASE("a corrected EI logical address given while the poller runs is used from the next call") {
  Sim sim;
  Poller p(sim, 50, quick(1h));
  p.poller.reset();
  ei::PollerOptions o;
  o.find_content_url = "http://" + sim.address + "/vp/itintegration/engagementindex/FindContent/1/rivtabp21";
  o.ei_logical_address = "SE0000000000-NOTEI";  // VP004: no route
  o.tick = 100ms;
  o.retry_after = 1s;
  p.poller = std::make_unique<ei::FindContentPoller>(p.ioc.get_executor(), p.client, *p.store, p.queue, p.watch, o,
                                                     nullptr, nullptr);
  const auto id = sim.persons(1)[0];
  p.watch_person(id);
  p.poller->start();
  REQUIRE(eventually([&] { return p.poller->stats().calls_with(Outcome::no_route) >= 1; }, 5s));
  CHECK(p.stored(id).empty());

  auto fixed = p.poller->options();
  fixed.ei_logical_address = "5565594230";
  p.poller->reconfigure(fixed);
  REQUIRE(eventually([&] { return p.poller->stats().persons_polled == 1; }, 6s));
  CHECK(p.stored(id) == sim.indexed(id));
  CHECK_FALSE(p.stored(id).empty());
  CHECK(p.poller->stats().calls_with(Outcome::ok) == 1);
}

#endif  // BOKADE_SIM_PATH
