// The store on a real RocksDB directory.

#include <doctest/doctest.h>

#include "bokade/store/store.hpp"
#include "process.hpp"

using namespace bokade::store;
using bokade::test::TempDir;

TEST_CASE("a new database has every column family and records the schema version") {
  TempDir dir;
  auto s = Store::open(dir.path() / "db", {});
  REQUIRE(s.has_value());
  CHECK((*s)->recorded_schema_version() == schema_version);
  const auto stats = (*s)->stats();
  CHECK(stats.size() == std::size(all_columns));
  auto v = (*s)->get(Column::meta, "schema_version");
  REQUIRE(v.has_value());
  REQUIRE(v->has_value());
  CHECK(v->value() == std::string("\0\0\0\1", 4));
}

TEST_CASE("a batch is written whole, across column families, and survives a reopen") {
  TempDir dir;
  {
    auto s = Store::open(dir.path(), {});
    REQUIRE(s.has_value());
    Batch b;
    b.put(Column::slices, "p1|la1", "slice-a");
    b.put(Column::slices, "p1|la2", "slice-b");
    b.put(Column::slices, "p2|la1", "slice-c");
    b.put(Column::persons, "p1", "person");
    b.erase(Column::persons, "absent");
    CHECK(b.count() == 5);
    REQUIRE((*s)->write(b));
    REQUIRE((*s)->close());
    CHECK_FALSE((*s)->get(Column::slices, "p1|la1").has_value());  // closed
  }
  auto s = Store::open(dir.path(), {});
  REQUIRE(s.has_value());
  auto scan = (*s)->scan_prefix(Column::slices, "p1|");
  REQUIRE(scan.has_value());
  REQUIRE(scan->size() == 2);
  CHECK((*scan)[0] == std::pair<std::string, std::string>{"p1|la1", "slice-a"});
  CHECK((*scan)[1].second == "slice-b");
  CHECK((*s)->scan_prefix(Column::slices, "p", 1)->size() == 1);
  CHECK((*s)->get(Column::persons, "p1")->value() == "person");
  CHECK_FALSE((*s)->get(Column::relations, "p1|la1")->has_value());  // column families are separate
}

TEST_CASE("a directory held by another open store is refused with a clear reason") {
  TempDir dir;
  auto first = Store::open(dir.path(), {});
  REQUIRE(first.has_value());
  auto second = Store::open(dir.path(), {});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().message.find("in use by another bokaded") != std::string::npos);
}

TEST_CASE("a missing directory is refused when not asked to create it") {
  TempDir dir;
  StoreOptions o;
  o.create_if_missing = false;
  auto s = Store::open(dir.path() / "nope", o);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("does not exist") != std::string::npos);
}

TEST_CASE("checkpoint and compaction") {
  TempDir dir;
  auto s = Store::open(dir.path() / "db", {});
  REQUIRE(s.has_value());
  for (int i = 0; i < 100; ++i) REQUIRE((*s)->put(Column::engagements, "k" + std::to_string(i), "v"));
  REQUIRE((*s)->compact());
  REQUIRE((*s)->checkpoint(dir.path() / "copy"));
  CHECK_FALSE((*s)->checkpoint(dir.path() / "copy"));  // target exists
  REQUIRE((*s)->close());
  auto copy = Store::open(dir.path() / "copy", {});
  REQUIRE(copy.has_value());
  CHECK((*copy)->scan_prefix(Column::engagements, "k")->size() == 100);
}

TEST_CASE("get_many answers each key as get does, and prefix scans stop at the prefix's end") {
  TempDir dir;
  auto s = Store::open(dir.path(), {});
  REQUIRE(s.has_value());
  Batch b;
  b.put(Column::engagements, "p1|a", "one");
  b.put(Column::engagements, "p1|b", "two");
  b.put(Column::engagements, "p10|a", "other person");  // shares the prefix "p1" but not "p1|"
  b.put(Column::engagements, "p2|a", "three");
  REQUIRE((*s)->write(b));

  const std::vector<std::string_view> keys{"p2|a", "missing", "p1|a", "p1|b", "p1|a"};
  auto many = (*s)->get_many(Column::engagements, keys);
  REQUIRE(many.has_value());
  REQUIRE(many->size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CAPTURE(keys[i]);
    auto one = (*s)->get(Column::engagements, keys[i]);
    REQUIRE(one.has_value());
    CHECK((*many)[i] == *one);
  }
  CHECK((*many)[1] == std::nullopt);
  CHECK((*many)[0] == std::optional<std::string>("three"));

  std::vector<std::pair<std::string, std::string>> seen;
  REQUIRE((*s)->visit_prefix(Column::engagements, "p1|", [&](std::string_view k, std::string_view v) {
    seen.emplace_back(k, v);
    return true;
  }));
  CHECK(seen == std::vector<std::pair<std::string, std::string>>{{"p1|a", "one"}, {"p1|b", "two"}});
  auto scanned = (*s)->scan_prefix(Column::engagements, "p1|");
  REQUIRE(scanned.has_value());
  CHECK(*scanned == seen);
  auto wider = (*s)->scan_prefix(Column::engagements, "p1");
  REQUIRE(wider.has_value());
  CHECK(wider->size() == 3);
  // visit may stop early.
  int calls = 0;
  REQUIRE((*s)->visit_prefix(Column::engagements, "p", [&](std::string_view, std::string_view) { return ++calls < 2; }));
  CHECK(calls == 2);
}

TEST_CASE("a person's generation changes with every write of their view's rows, and only then") {
  TempDir dir;
  auto s = Store::open(dir.path() / "db", {});
  REQUIRE(s.has_value());
  Store& store = **s;
  const std::string tolvan = "191212121212", other = "197510016277";
  const auto g0 = store.person_generation(tolvan);

  // Slices, engagements and relations are what the person's view is made of.
  for (const Column c : {Column::slices, Column::engagements, Column::relations}) {
    CAPTURE(to_string(c));
    const auto before = store.person_generation(tolvan);
    Batch b;
    b.put(c, tolvan + "SE2321000016-15CQ", "value");
    REQUIRE(store.write(b).has_value());
    CHECK(store.person_generation(tolvan) != before);
    const auto after_put = store.person_generation(tolvan);
    Batch e;
    e.erase(c, tolvan + "SE2321000016-15CQ");
    REQUIRE(store.write(e).has_value());
    CHECK(store.person_generation(tolvan) != after_put);
  }
  CHECK(store.person_generation(tolvan) != g0);

  // Other columns (the watch record, the schedule, meta) and read-only calls leave it alone.
  const auto g1 = store.person_generation(tolvan);
  Batch b;
  b.put(Column::persons, tolvan, "watch record");
  b.put(Column::meta, "some", "thing");
  REQUIRE(store.write(b).has_value());
  REQUIRE(store.get(Column::slices, tolvan + "SE2321000016-15CQ").has_value());
  CHECK(store.person_generation(tolvan) == g1);

  // Another person's write changes theirs (and, but for a shared bucket, not Tolvan's).
  const auto other_before = store.person_generation(other);
  REQUIRE(store.put(Column::slices, other + "SE2321000016-15CQ", "value").has_value());
  CHECK(store.person_generation(other) != other_before);
  CHECK(store.person_generation(tolvan) == g1);
}
