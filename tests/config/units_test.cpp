#include <doctest/doctest.h>

#include "bokade/config/units.hpp"

using namespace std::chrono_literals;
using bokade::config::format_duration;
using bokade::config::format_size;
using bokade::config::parse_duration;
using bokade::config::parse_size;

TEST_CASE("durations are a number and a unit, larger units first") {
  CHECK(*parse_duration("250ms") == 250ms);
  CHECK(*parse_duration("5s") == 5s);
  CHECK(*parse_duration("10m") == 10min);
  CHECK(*parse_duration("6h") == 6h);
  CHECK(*parse_duration("30d") == std::chrono::days(30));
  CHECK(*parse_duration("1h30m") == 90min);
  CHECK(*parse_duration("1d2h3m4s5ms") == std::chrono::days(1) + 2h + 3min + 4s + 5ms);
  CHECK(*parse_duration("0s") == 0ms);
  CHECK(*parse_duration("0") == 0ms);
}

TEST_CASE("bad durations say what is wrong") {
  CHECK(parse_duration("").error().message.find("is empty") != std::string::npos);
  CHECK(parse_duration("5").error().message.find("has a number without a unit") != std::string::npos);
  CHECK(parse_duration("5 s").error().message.find("is not a duration") != std::string::npos);
  CHECK(parse_duration("5sec").error().message.find("unknown unit \"sec\"") != std::string::npos);
  CHECK(parse_duration("-5s").error().message.find("is not a duration") != std::string::npos);
  CHECK(parse_duration("1.5s").error().message.find("is not a duration") != std::string::npos);
  CHECK(parse_duration("30m1h").error().message.find("larger units first") != std::string::npos);
  CHECK(parse_duration("5s5s").error().message.find("each unit once") != std::string::npos);
  CHECK(parse_duration("99999999999999999999d").error().message.find("too large") != std::string::npos);
  CHECK(parse_duration("40000d").error().message.find("at most 100 years") != std::string::npos);
}

TEST_CASE("durations format to their shortest exact spelling and parse back") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(2h) == "2h");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(std::chrono::days(30)) == "30d");
  for (const std::chrono::milliseconds d :
       {1ms, 999ms, 1001ms, std::chrono::milliseconds(61min), std::chrono::milliseconds(25h)})
    CHECK(*parse_duration(format_duration(d)) == d);
}

TEST_CASE("sizes use binary or decimal units; a bare number is bytes") {
  CHECK(*parse_size("64MiB") == 64ULL << 20);
  CHECK(*parse_size("1GiB") == 1ULL << 30);
  CHECK(*parse_size("16KiB") == 16384);
  CHECK(*parse_size("2TiB") == 2ULL << 40);
  CHECK(*parse_size("100B") == 100);
  CHECK(*parse_size("100") == 100);
  CHECK(*parse_size("5MB") == 5'000'000);
  CHECK(*parse_size("3kB") == 3'000);
  CHECK(parse_size("64mb").error().message.find("unknown unit \"mb\"") != std::string::npos);
  CHECK(parse_size("MiB").error().message.find("is not a size") != std::string::npos);
  CHECK(parse_size("1.5GiB").error().message.find("is not a size") != std::string::npos);
  CHECK(parse_size("99999999999TiB").error().message.find("too large") != std::string::npos);
  CHECK(format_size(256ULL << 20) == "256MiB");
  CHECK(format_size(1000) == "1000B");
  CHECK(format_size(0) == "0B");
}
