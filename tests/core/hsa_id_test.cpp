#include <doctest/doctest.h>

#include <set>
#include <unordered_set>

#include "bokade/core/hsa_id.hpp"

using namespace bokade;

TEST_CASE("HSA-ids compare case-insensitively and keep their spelling") {
  auto a = HsaId::parse("SE2321000016-a1b2");
  auto b = HsaId::parse("se2321000016-A1B2");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  CHECK(a->str() == "SE2321000016-a1b2");
  CHECK(a->key() == "SE2321000016-A1B2");
  CHECK(std::hash<HsaId>{}(*a) == std::hash<HsaId>{}(*b));
  std::unordered_set<HsaId> set{*a, *b, *HsaId::parse("5565594230")};
  CHECK(set.size() == 2);
  std::set<HsaId> ordered{*HsaId::parse("b"), *HsaId::parse("A"), *HsaId::parse("c")};
  CHECK(ordered.begin()->key() == "A");
}

TEST_CASE("HSA-id validation") {
  CHECK(HsaId::parse("HSA-ID-1"));
  CHECK(HsaId::parse(" 5565594230 ")->str() == "5565594230");
  CHECK(HsaId::parse("SE5565594230-B9P"));
  CHECK(HsaId::parse("").error().message.find("empty") != std::string::npos);
  CHECK(HsaId::parse("SE 123").error().message.find("position 3") != std::string::npos);
  CHECK(HsaId::parse("SE<script>").error().message.find("not allowed") != std::string::npos);
  CHECK(HsaId::parse(std::string(65, 'A')).error().message.find("at most 64") != std::string::npos);
  CHECK(HsaId::parse(std::string(64, 'A')));
}
