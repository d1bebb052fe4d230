// The watch set and its schedule on a real RocksDB: who is watched, when they are due, how a poll moves
// them, and how an expired watch leaves the schedule and then the store.

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <map>
#include <set>
#include <thread>

#include <prometheus/registry.h>

#include "bokade/ei/engagement_apply.hpp"
#include "bokade/ei/find_content_poller.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/store/codec.hpp"
#include "engagement_data.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

UtcTime at(std::int64_t s) { return UtcTime{std::chrono::seconds{s}}; }
const UtcTime t0 = at(1'800'000'000);

PersonId pid(int n) { return *PersonId::parse(personnummer(n)); }

struct Fixture {
  explicit Fixture(ei::WatchOptions o = options()) : watch(*store, queue, o) {}
  static ei::WatchOptions options() {
    ei::WatchOptions o;
    o.expiry = std::chrono::hours(24);
    o.interval = std::chrono::hours(1);
    o.jitter = 0.1;
    o.first_poll_within = 60s;
    return o;
  }
  Status run(store::WriteQueue::Job job) {
    std::promise<Status> done;
    auto f = done.get_future();
    REQUIRE(queue.submit(std::move(job), [&done](Status s) { done.set_value(std::move(s)); }));
    return f.get();
  }
  std::vector<store::ScheduleEntry> schedule() const {
    std::vector<store::ScheduleEntry> out;
    for (const auto& [k, v] : *store->scan_prefix(store::Column::schedule, "")) out.push_back(*store::parse_schedule_key(k));
    return out;
  }
  ei::PersonRecord record(const PersonId& p) const { return **watch.record(p); }

  TempDir dir;
  std::unique_ptr<store::Store> store = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue queue{*store, 1024};
  ei::WatchSet watch;
};

}  // namespace

TEST_CASE("a persons record round-trips and a value of another version is refused") {
  ei::PersonRecord r;
  r.last_query = t0;
  r.watch_expiry = t0 + 30 * 24h;
  r.scheduled = true;
  r.next_due = t0 + 6h;
  r.reasons = static_cast<std::uint8_t>(ei::WatchReason::queried) | static_cast<std::uint8_t>(ei::WatchReason::imported);
  const auto bytes = ei::encode_person_record(r);
  CHECK(*ei::decode_person_record(bytes) == r);
  auto newer = bytes;
  newer[0] = 2;
  CHECK_FALSE(ei::decode_person_record(newer).has_value());
  CHECK_FALSE(ei::decode_person_record(bytes.substr(0, 10)).has_value());
  CHECK_FALSE(ei::decode_person_record("").has_value());
}

TEST_CASE("watch() adds a person with a jittered first poll; watching again extends, never reschedules") {
  Fixture f;
  const auto p = pid(1);
  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::imported, t0)).has_value());
  auto r = f.record(p);
  CHECK(r.scheduled);
  CHECK(r.watch_expiry == t0 + 24h);
  CHECK_FALSE(r.last_query.has_value());
  CHECK(r.next_due >= t0);
  CHECK(r.next_due <= t0 + 60s);
  REQUIRE(f.schedule().size() == 1);
  CHECK(f.schedule()[0].due == r.next_due);
  CHECK(f.schedule()[0].person == p.str());
  CHECK(*f.watch.size() == 1);

  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::queried, t0 + 2h)).has_value());
  auto again = f.record(p);
  CHECK(again.watch_expiry == t0 + 2h + 24h);
  CHECK(again.last_query == t0 + 2h);
  CHECK(again.next_due == r.next_due);
  CHECK(f.schedule().size() == 1);
  CHECK(*f.watch.size() == 1);
  CHECK((again.reasons & static_cast<std::uint8_t>(ei::WatchReason::imported)) != 0);
}

TEST_CASE("a notified person is first polled one interval on: the notification already refreshed them") {
  Fixture f;  // interval 1 h, jitter 0.1
  for (int i = 0; i < 50; ++i) REQUIRE(f.run(f.watch.watch_job(pid(i), ei::WatchReason::notified, t0)).has_value());
  for (int i = 0; i < 50; ++i) {
    const auto r = f.record(pid(i));
    CHECK(r.next_due >= t0 + 54min);
    CHECK(r.next_due <= t0 + 66min);
  }
  // Nobody is due within the first minute, as a queried or imported person would be.
  CHECK(f.watch.due(t0 + 60s, 100)->empty());
}

TEST_CASE("first polls of many new persons are spread, not all at once") {
  Fixture f;
  for (int i = 0; i < 200; ++i) REQUIRE(f.run(f.watch.watch_job(pid(i), ei::WatchReason::imported, t0)).has_value());
  std::set<UtcTime> dues;
  for (const auto& e : f.schedule()) dues.insert(e.due);
  CHECK(f.schedule().size() == 200);
  CHECK(dues.size() > 30);  // 61 possible seconds
  CHECK(*dues.begin() >= t0);
  CHECK(*dues.rbegin() <= t0 + 60s);
  CHECK(*f.watch.size() == 200);
}

TEST_CASE("concurrent watch jobs of one write group count each new person once") {
  Fixture f;
  std::vector<std::future<Status>> results;
  std::vector<std::promise<Status>> promises(300);
  for (int i = 0; i < 300; ++i) {
    results.push_back(promises[static_cast<std::size_t>(i)].get_future());
    REQUIRE(f.queue.submit(f.watch.watch_job(pid(i % 150), ei::WatchReason::notified, t0),
                           [&promises, i](Status s) { promises[static_cast<std::size_t>(i)].set_value(std::move(s)); }));
  }
  for (auto& r : results) CHECK(r.get().has_value());
  CHECK(*f.watch.size() == 150);
  CHECK(f.schedule().size() == 150);
}

TEST_CASE("due() yields the persons due by now, earliest first, at most limit") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    const auto p = pid(i);
    REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::imported, t0)).has_value());
    REQUIRE(f.run(f.watch.reschedule_job(p, f.record(p).next_due, t0 + std::chrono::minutes(10 * (5 - i)), {})).has_value());
  }
  // Dues: pid(4) +10 min, pid(3) +20, pid(2) +30, pid(1) +40, pid(0) +50.
  auto due = *f.watch.due(t0 + 35min, 100);
  REQUIRE(due.size() == 3);
  CHECK(due[0].person == pid(4).str());
  CHECK(due[1].person == pid(3).str());
  CHECK(due[2].person == pid(2).str());
  CHECK(f.watch.due(t0 + 35min, 2)->size() == 2);
  CHECK(f.watch.due(t0, 100)->empty());
  CHECK(**f.watch.oldest_due() == t0 + 10min);
}

TEST_CASE("reschedule moves the one schedule entry and records the poll") {
  Fixture f;
  const auto p = pid(7);
  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::imported, t0)).has_value());
  const auto first = f.record(p).next_due;

  asio::io_context ioc;
  auto fut = asio::co_spawn(ioc, f.watch.reschedule(p, first, t0 + 6h, t0 + 1s), asio::use_future);
  ioc.run();
  REQUIRE(fut.get().has_value());
  auto entries = f.schedule();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].due == t0 + 6h);
  auto r = f.record(p);
  CHECK(r.next_due == t0 + 6h);
  CHECK(r.last_poll == t0 + 1s);
  CHECK(*f.watch.size() == 1);
}

TEST_CASE("next_poll lies within interval ± jitter and is spread") {
  Fixture f;
  std::set<UtcTime> seen;
  for (int i = 0; i < 500; ++i) {
    const auto next = f.watch.next_poll(t0);
    CHECK(next >= t0 + 54min);
    CHECK(next <= t0 + 66min);
    seen.insert(next);
  }
  CHECK(seen.size() > 100);
  const auto retry = f.watch.retry_at(t0, 300s);
  CHECK(retry >= t0 + 270s);
  CHECK(retry <= t0 + 330s);
}

TEST_CASE("an expired watch leaves the schedule, is listed for retention, and its data is deleted") {
  Fixture f;
  const auto p = pid(3);
  const auto kept = pid(4);
  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::imported, t0)).has_value());
  REQUIRE(f.run(f.watch.watch_job(kept, ei::WatchReason::imported, t0 + 12h)).has_value());
  // Data the person has: engagements, a slice and a legacy relation.
  REQUIRE(f.run([&](const store::Store& s, store::Batch& b) -> Status {
            ei::ApplySummary summary;
            std::vector<rivta::EngagementTransaction> txs{booking(p.str(), "SE2321000016-A1", "B1"),
                                                          booking(kept.str(), "SE2321000016-A1", "B2")};
            b.put(store::Column::slices, store::slice_key(p, "SE2321000016-A1"), "slice");
            b.put(store::Column::relations, store::slice_key(p, "SE2321000016-A1"), "relation");
            return ei::apply_transactions(s, b, txs, t0, summary);
          }).has_value());

  const auto expiry = t0 + 24h;
  // Not yet expired: nothing happens.
  REQUIRE(f.run(f.watch.unschedule_expired_job(p, f.record(p).next_due, expiry - 1s)).has_value());
  CHECK(f.record(p).scheduled);
  CHECK(f.watch.expired(expiry - 1s, 10)->empty());

  REQUIRE(f.run(f.watch.unschedule_expired_job(p, f.record(p).next_due, expiry)).has_value());
  CHECK_FALSE(f.record(p).scheduled);
  CHECK(*f.watch.size() == 1);
  REQUIRE(f.schedule().size() == 1);
  CHECK(f.schedule()[0].person == kept.str());

  auto expired = *f.watch.expired(expiry, 10);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0] == p.str());

  Status purged = f.run([&](const store::Store& s, store::Batch& b) -> Status {
    auto r = ei::add_expired_person_deletions(s, b, p, expiry);
    if (!r) return Unexpected<Error>{r.error()};
    return *r ? Status{} : fail("nothing deleted");
  });
  REQUIRE(purged.has_value());
  CHECK_FALSE(f.watch.record(p)->has_value());
  CHECK(ei::engagements_of(*f.store, p, true)->empty());
  CHECK(f.store->scan_prefix(store::Column::slices, store::person_key(p))->empty());
  CHECK(f.store->scan_prefix(store::Column::relations, store::person_key(p))->size() == 1);
  CHECK(ei::engagements_of(*f.store, kept)->size() == 1);
  CHECK(*f.watch.size() == 1);
}

TEST_CASE("a watch extended before retention runs is not deleted") {
  Fixture f;
  const auto p = pid(9);
  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::imported, t0)).has_value());
  REQUIRE(f.run(f.watch.watch_job(p, ei::WatchReason::queried, t0 + 23h)).has_value());
  store::Batch b;
  auto r = ei::add_expired_person_deletions(*f.store, b, p, t0 + 24h);
  REQUIRE(r.has_value());
  CHECK_FALSE(*r);
  CHECK(b.count() == 0);
  CHECK(f.watch.expired(t0 + 24h, 10)->empty());
}

TEST_CASE("poller metrics: every outcome series exists from the start; gauges carry size and lag") {
  prometheus::Registry registry;
  ei::PollerMetrics metrics(registry);
  metrics.call(Outcome::no_route);
  metrics.watch_set_persons(42);
  metrics.schedule_lag(7.5);
  std::map<std::string, double> seen;
  for (const auto& family : registry.Collect()) {
    for (const auto& m : family.metric) {
      std::string name = family.name;
      for (const auto& l : m.label) name += "{" + l.name + "=" + l.value + "}";
      seen[name] = family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  CHECK(seen.size() == all_outcomes.size() + 2);
  CHECK(seen.at("bokade_ei_find_content_calls_total{outcome=ok}") == 0);
  CHECK(seen.at("bokade_ei_find_content_calls_total{outcome=no_route}") == 1);
  CHECK(seen.at("bokade_watch_set_persons") == 42);
  CHECK(seen.at("bokade_schedule_lag_seconds") == 7.5);
}

TEST_CASE("new watch options apply to the next scheduling decision; persons already scheduled keep their due time") {
  Fixture f;  // interval 1 h ± 10 %, expiry 24 h
  const auto early = pid(1);
  REQUIRE(f.run(f.watch.watch_job(early, ei::WatchReason::notified, t0)).has_value());
  const auto before = f.record(early);
  CHECK(before.next_due >= t0 + 54min);
  CHECK(before.next_due <= t0 + 66min);

  auto o = f.watch.options();
  o.interval = std::chrono::hours(6);
  o.jitter = 0.0;
  o.expiry = std::chrono::hours(48);
  f.watch.reconfigure(o);
  CHECK(f.watch.options().interval == std::chrono::hours(6));

  CHECK(f.record(early).next_due == before.next_due);
  CHECK(f.record(early).watch_expiry == t0 + 24h);
  CHECK(f.watch.next_poll(t0) == t0 + 6h);  // jitter 0: exactly one interval
  const auto later = pid(2);
  REQUIRE(f.run(f.watch.watch_job(later, ei::WatchReason::notified, t0)).has_value());
  CHECK(f.record(later).next_due == t0 + 6h);
  CHECK(f.record(later).watch_expiry == t0 + 48h);
  // A watch extended after the reload gets the new expiry.
  REQUIRE(f.run(f.watch.watch_job(early, ei::WatchReason::queried, t0 + 1h)).has_value());
  CHECK(f.record(early).watch_expiry == t0 + 49h);

  o.jitter = 7.0;  // out of range: clamped, as at construction
  f.watch.reconfigure(o);
  CHECK(f.watch.options().jitter == 1.0);
}
