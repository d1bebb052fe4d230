#include <doctest/doctest.h>

#include "bokade/ei/engagement_apply.hpp"
#include "bokade/store/codec.hpp"
#include "engagement_data.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::test;

namespace {

struct Db {
  TempDir dir;
  std::unique_ptr<store::Store> store = std::move(*store::Store::open(dir.path(), {}));

  ei::ApplySummary apply(std::vector<rivta::EngagementTransaction> txs) {
    store::Batch batch;
    ei::ApplySummary summary;
    REQUIRE(ei::apply_transactions(*store, batch, txs, UtcTime{std::chrono::seconds{1'800'000'000}}, summary));
    REQUIRE(store->write(batch));
    return summary;
  }
  std::vector<ei::StoredEngagement> of(const std::string& person, bool tombstones = false) {
    return *ei::engagements_of(*store, *PersonId::parse(person), tombstones);
  }
};

}  // namespace

TEST_CASE("create, repeat, update, reorder and delete an engagement") {
  Db db;
  const auto p = personnummer(1);
  auto s = db.apply({booking(p, "SE2321000016-AAAA", "B1")});
  CHECK(s.created == 1);
  REQUIRE(s.affected.size() == 1);
  CHECK(s.affected.at(p) == std::set<std::string>{"SE2321000016-AAAA"});
  auto stored = db.of(p);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].key.business_object_instance_identifier == "B1");
  CHECK(format_rivta_time(*stored[0].record.most_recent_content) == "20261201090000");

  // At-least-once delivery: the same transaction again changes nothing.
  s = db.apply({booking(p, "SE2321000016-AAAA", "B1")});
  CHECK(s.duplicates == 1);
  CHECK(s.affected.empty());

  // A newer update applies; an older one arriving late is stale.
  auto newer = booking(p, "SE2321000016-AAAA", "B1", "20261102120000");
  newer.engagement.most_recent_content = *parse_rivta_time("20261205100000");
  s = db.apply({newer});
  CHECK(s.updated == 1);
  s = db.apply({booking(p, "SE2321000016-AAAA", "B1", "20261101130000")});
  CHECK(s.stale == 1);
  CHECK(format_rivta_time(*db.of(p)[0].record.most_recent_content) == "20261205100000");

  // Delete, then the create it followed arrives late: stays deleted.
  s = db.apply({booking(p, "SE2321000016-AAAA", "B1", "20261103120000", true)});
  CHECK(s.deleted == 1);
  CHECK(db.of(p).empty());
  CHECK(db.of(p, true).size() == 1);
  s = db.apply({booking(p, "SE2321000016-AAAA", "B1", "20261102120000")});
  CHECK(s.stale == 1);
  CHECK(db.of(p).empty());
}

TEST_CASE("a delete of a key never seen keeps a tombstone against a late create") {
  Db db;
  const auto p = personnummer(2);
  auto s = db.apply({booking(p, "SE2321000016-BBBB", "B9", "20261105000000", true)});
  CHECK(s.unknown_deletes == 1);
  CHECK(s.affected.empty());
  s = db.apply({booking(p, "SE2321000016-BBBB", "B9", "20261104000000")});
  CHECK(s.stale == 1);
  CHECK(db.of(p).empty());
}

TEST_CASE("within one batch, later transactions see earlier ones") {
  Db db;
  const auto p = personnummer(3);
  auto s = db.apply({booking(p, "LA1", "X"), booking(p, "LA1", "X"), booking(p, "LA2", "Y"),
                     booking(p, "LA1", "X", "20261201000000", true)});
  CHECK(s.created == 2);
  CHECK(s.duplicates == 1);
  CHECK(s.deleted == 1);
  const auto stored = db.of(p);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].key.logical_address == "LA2");
}

TEST_CASE("other service domains and unusable person ids are counted and skipped") {
  Db db;
  auto other = booking(personnummer(4), "LA", "1");
  other.engagement.key.service_domain = "riv:clinicalprocess:logistics:logistics";
  auto upper = booking(personnummer(5), "LA", "2");
  upper.engagement.key.service_domain = "RIV:SUPPORTPROCESS:LOGISTICS:SCHEDULING";
  auto bad = booking("191212121213", "LA", "3");
  auto s = db.apply({other, upper, bad});
  CHECK(s.other_domain == 1);
  CHECK(s.invalid_person == 1);
  CHECK(s.created == 1);
  CHECK(db.of(personnummer(4)).empty());
  REQUIRE(db.of(personnummer(5)).size() == 1);
  CHECK(db.of(personnummer(5))[0].key.service_domain == "riv:supportprocess:logistics:scheduling");
}
