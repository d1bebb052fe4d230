#include <doctest/doctest.h>

#include "bokade/core/rivta_time.hpp"

using namespace bokade;

namespace {
std::string utc(std::string_view rivta) {
  auto t = parse_rivta_time(rivta);
  REQUIRE_MESSAGE(t.has_value(), rivta << ": " << (t ? "" : t.error().message));
  return format_iso_utc(*t);
}
}  // namespace

TEST_CASE("winter and summer times") {
  CHECK(utc("20261122093000") == "2026-11-22T08:30:00Z");  // CET, +01:00
  CHECK(utc("20260615093000") == "2026-06-15T07:30:00Z");  // CEST, +02:00
  CHECK(utc("202611220930") == "2026-11-22T08:30:00Z");    // 12 digits, leniently
  CHECK(utc(" 20261122093000\n") == "2026-11-22T08:30:00Z");
}

TEST_CASE("spring change 2026-03-29: 02:00 local jumps to 03:00") {
  CHECK(utc("20260329015959") == "2026-03-29T00:59:59Z");
  // In the gap: read with the winter offset, so it lands one hour later on the wall clock.
  CHECK(utc("20260329020000") == "2026-03-29T01:00:00Z");
  CHECK(utc("20260329023000") == "2026-03-29T01:30:00Z");
  CHECK(format_rivta_time(*parse_rivta_time("20260329023000")) == "20260329033000");
  CHECK(utc("20260329030000") == "2026-03-29T01:00:00Z");
  CHECK(utc("20260329040000") == "2026-03-29T02:00:00Z");
}

TEST_CASE("autumn change 2026-10-25: 03:00 local falls back to 02:00") {
  CHECK(utc("20261025015959") == "2026-10-24T23:59:59Z");
  // In the fold: the earlier (summer-time) instant.
  CHECK(utc("20261025023000") == "2026-10-25T00:30:00Z");
  CHECK(utc("20261025030000") == "2026-10-25T02:00:00Z");
  // Both instants of the fold format back to the same wall-clock time.
  const auto first = *parse_rivta_time("20261025023000");
  CHECK(format_rivta_time(first) == "20261025023000");
  CHECK(format_rivta_time(first + std::chrono::hours{1}) == "20261025023000");
}

TEST_CASE("round trip and ISO forms") {
  for (const char* s : {"20260101000000", "20261231235959", "20260329031500", "20261025015900", "19991231235959"}) {
    CHECK(format_rivta_time(*parse_rivta_time(s)) == s);
  }
  CHECK(format_iso_local(*parse_rivta_time("20261122093000")) == "2026-11-22T09:30:00+01:00");
  CHECK(format_iso_local(*parse_rivta_time("20260615093000")) == "2026-06-15T09:30:00+02:00");
}

TEST_CASE("bad times say why") {
  CHECK(parse_rivta_time("2026112209300").error().message.find("13 characters") != std::string::npos);
  CHECK(parse_rivta_time("2026-11-22T093").error().message.find("digits") != std::string::npos);
  CHECK(parse_rivta_time("20260230093000").error().message.find("does not exist") != std::string::npos);
  CHECK(parse_rivta_time("20261122243000").error().message.find("out of range") != std::string::npos);
  CHECK(parse_rivta_time("20261122096000").error().message.find("out of range") != std::string::npos);
  CHECK_FALSE(parse_rivta_time(""));
}
