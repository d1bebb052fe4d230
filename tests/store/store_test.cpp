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
