// Retention on a real RocksDB: appointments past start + grace leave their slices; expired persons go.

#include <doctest/doctest.h>

#include "bokade/ei/engagement_apply.hpp"
#include "bokade/fanout/retention.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"
#include "engagement_data.hpp"
#include "process.hpp"

#include <future>

using namespace bokade;
using namespace std::chrono_literals;

namespace {

Appointment at(std::string id, UtcTime start) {
  Appointment a;
  a.booking_id = std::move(id);
  a.healthcare_facility = "SE2321000016-AAAA";
  a.start = start;
  a.end = start + 30min;
  return a;
}

}  // namespace

TEST_CASE("appointments are purged two hours after their start; later ones and the status stay") {
  test::TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 16);
  ei::WatchSet watch(*s, q, {});
  const UtcTime now = *parse_rivta_time("20261122120000");
  const auto person = *PersonId::parse(test::personnummer(1));

  store::Slice slice;
  slice.status.logical_address = "SE2321000016-AAAA";
  slice.status.code = ProcessingStatusCode::DataFromSource;
  slice.status.last_success = now - 1h;
  slice.appointments = {at("three-hours-ago", now - 3h), at("one-hour-ago", now - 1h), at("tomorrow", now + 24h)};
  REQUIRE(s->put(store::Column::slices, store::slice_key(person, "SE2321000016-AAAA"), store::encode_slice(slice)));
  store::Slice future_only = slice;
  future_only.appointments = {at("next-week", now + 168h)};
  REQUIRE(s->put(store::Column::slices, store::slice_key(person, "SE2321000016-BBBB"), store::encode_slice(future_only)));

  auto r = fanout::purge_once(*s, q, watch, now, 2h);
  REQUIRE(r.has_value());
  CHECK(r->slices_scanned == 2);
  CHECK(r->slices_rewritten == 1);
  CHECK(r->appointments_purged == 1);
  const auto stored = s->get(store::Column::slices, store::slice_key(person, "SE2321000016-AAAA"));
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  auto kept = store::decode_slice(stored->value());
  REQUIRE(kept.has_value());
  REQUIRE(kept->appointments.size() == 2);
  CHECK(kept->appointments[0].booking_id == "one-hour-ago");
  CHECK(kept->status == slice.status);
  // A second pass finds nothing more to do.
  CHECK(fanout::purge_once(*s, q, watch, now, 2h)->appointments_purged == 0);
}

TEST_CASE("a person whose watch expired is deleted whole; relations stay") {
  test::TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 16);
  ei::WatchOptions o;
  o.expiry = std::chrono::hours(24 * 30);
  ei::WatchSet watch(*s, q, o);
  const UtcTime now = *parse_rivta_time("20261122120000");
  const auto person = *PersonId::parse(test::personnummer(2));
  const auto other = *PersonId::parse(test::personnummer(3));

  for (const auto& p : {person, other}) {
    std::promise<Status> done;
    q.submit(watch.watch_job(p, ei::WatchReason::notified, p == person ? now - 31 * 24h : now),
             [&](Status st) { done.set_value(st); });
    REQUIRE(done.get_future().get());
    store::Batch b;
    ei::ApplySummary summary;
    const std::vector<rivta::EngagementTransaction> txs{test::booking(p.str(), "SE2321000016-AAAA", "B1")};
    REQUIRE(ei::apply_transactions(*s, b, txs, now, summary));
    store::Slice slice;
    slice.appointments = {at("B1", now + 24h)};
    b.put(store::Column::slices, store::slice_key(p, "SE2321000016-AAAA"), store::encode_slice(slice));
    b.put(store::Column::relations, store::slice_key(p, "SE2321000016-AAAA"), "x");
    REQUIRE(s->write(b));
  }

  auto r = fanout::purge_once(*s, q, watch, now, 2h);
  REQUIRE(r.has_value());
  CHECK(r->persons_deleted == 1);
  CHECK(s->scan_prefix(store::Column::slices, store::person_key(person))->empty());
  CHECK(ei::engagements_of(*s, person, true)->empty());
  CHECK_FALSE(s->get(store::Column::persons, store::person_key(person))->has_value());
  CHECK(s->scan_prefix(store::Column::relations, store::person_key(person))->size() == 1);
  // The other person, still watched, is untouched.
  CHECK(s->scan_prefix(store::Column::slices, store::person_key(other))->size() == 1);
  CHECK(ei::engagements_of(*s, other)->size() == 1);
}
