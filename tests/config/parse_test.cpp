// Parsing: the default file, syntax errors with positions, unknown keys, wrong types, loading files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace bokade::config;
using bokade::config::test::all_errors;
using bokade::config::test::error_at;
using bokade::config::test::only_error;
using bokade::config::test::parse;

namespace {

const std::filesystem::path default_file = std::filesystem::path(BOKADE_SOURCE_DIR) / "config" / "bokaded.toml";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory for files a test writes.
std::filesystem::path scratch_dir(std::string_view name) {
  auto dir = std::filesystem::path(BOKADE_BINARY_DIR) / "test-config-scratch" / std::string(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("config/bokaded.toml parses to exactly the built-in defaults, apart from the demo lists") {
  const auto result = load_config(default_file);
  INFO(all_errors(result));
  REQUIRE(result.has_value());
  Config parsed = *result;

  // The comments of the file say these are demo entries, not defaults.
  CHECK(parsed.booking_systems.size() == 5);
  CHECK(parsed.regions.size() == 5);
  REQUIRE(parsed.rules.regions.size() == 1);
  CHECK(parsed.rules.regions[0].target == "Region Skåne");
  CHECK(parsed.rules.regions[0].cancel_cutoff == 24h);
  CHECK(parsed.rules.regions[0].rebook_cutoff == 24h);
  CHECK_FALSE(parsed.rules.regions[0].show_after_start.has_value());
  CHECK(parsed.rules.booking_systems.empty());

  parsed.booking_systems.clear();
  parsed.regions.clear();
  parsed.rules.regions.clear();
  CHECK(parsed == Config{});
}

TEST_CASE("the demo lists of the default file are what the demo needs") {
  const auto config = *load_config(default_file);
  const auto* pmo = booking_system_of(config, "se2321000255-pmo1");
  REQUIRE(pmo != nullptr);
  CHECK(pmo->name == "PMO");
  CHECK(pmo->limits == config.booking_system_defaults);  // PMO leaves its limits out
  const auto* take_care = booking_system_of(config, "SE2321000016-A2BF");
  REQUIRE(take_care != nullptr);
  CHECK(take_care->limits.rate_per_second == 200.0);
  const auto* skane = region_of(config, "SE2321000255-ABC1");
  REQUIRE(skane != nullptr);
  CHECK(skane->name == "Region Skåne");
  CHECK(skane->organisation_number == "2321000255");
  CHECK(resolve_rules(config.rules, "Region Skåne", "PMO").cancel_cutoff == 24h);
  CHECK(resolve_rules(config.rules, "Region Stockholm", "TakeCare").cancel_cutoff == 0s);
  CHECK(config.rules.defaults.hidden_time_types == std::vector<std::string>{"Administration", "Dölj i 1177"});
  CHECK(config.listen.query.address == "127.0.0.1");
  CHECK(config.listen.query.port == 8080);
  CHECK(config.listen.admin.port == 8081);
}

TEST_CASE("the built-in default config is byte for byte config/bokaded.toml") {
  CHECK(default_config_toml() == read_file(default_file));
  const auto result = parse_config(default_config_toml(), "<built-in>");
  INFO(all_errors(result));
  CHECK(result.has_value());
}

TEST_CASE("the built-in defaults are valid, and an empty file gives them") {
  CHECK(validate(Config{}).empty());
  const auto result = parse("");
  REQUIRE(result.has_value());
  CHECK(*result == Config{});
}

TEST_CASE("a TOML syntax error names the file, line and column") {
  const auto result = parse("[refresh]\nretries = 3\nmax_concurrency = = 3\n");
  REQUIRE_FALSE(result.has_value());
  REQUIRE(result.error().size() == 1);
  const auto& e = result.error()[0];
  CHECK(e.key_path.empty());
  CHECK(e.line == 3);
  CHECK(e.column > 0);
  CHECK(e.message.rfind("TOML syntax error: ", 0) == 0);
  CHECK(to_string(e).rfind("test.toml:3:", 0) == 0);
}

TEST_CASE("a key written twice is a syntax error at its second line") {
  const auto result = parse("[vp]\nurl = \"http://a/\"\nurl = \"http://b/\"\n");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error()[0].line == 3);
  CHECK(result.error()[0].message.find("url") != std::string::npos);
}

TEST_CASE("the error format is source:line:column: key path: message") {
  const auto result = parse("[refresh]\nmax_concurrency = 0\n");
  REQUIRE_FALSE(result.has_value());
  REQUIRE(result.error().size() == 1);
  CHECK(to_string(result.error()[0]) == "test.toml:2:19: refresh.max_concurrency: must be between 1 and 10000 (got 0)");
  CHECK(fmt::format("{}", result.error()[0]) == to_string(result.error()[0]));
  // Without a known position (an error about a key the file does not contain):
  const ConfigError no_line{"refresh.max_concurrency", "must be between 1 and 10000 (got 0)", "bokaded.toml", 0, 0};
  CHECK(to_string(no_line) == "bokaded.toml: refresh.max_concurrency: must be between 1 and 10000 (got 0)");
}

TEST_CASE("unknown keys are errors that name the key and suggest a near one") {
  CHECK(only_error("[refrsh]\nretries = 1\n", "refrsh") == "unknown key (did you mean \"refresh\"?)");
  CHECK(only_error("[refresh]\nmax_concurency = 5\n", "refresh.max_concurency") ==
        "unknown key (did you mean \"max_concurrency\"?)");
  CHECK(only_error("[listen.query.tls]\nenable = true\n", "listen.query.tls.enable") ==
        "unknown key (did you mean \"enabled\"?)");
  CHECK(only_error("colour = \"blue\"\n", "colour") == "unknown key");
  CHECK(only_error("[[booking_systems]]\nname = \"A\"\nsource_systems = [\"SE1-A\"]\nspeed = 3\n",
                   "booking_systems[0].speed") == "unknown key");
  CHECK(only_error("[[regions]]\nname = \"R\"\norganisation_number = \"2321000016\"\n"
                   "[rules.region.R]\ncancel_cutof = \"1h\"\n",
                   "rules.region.R.cancel_cutof") == "unknown key (did you mean \"cancel_cutoff\"?)");
  CHECK(only_error("[rules.clinic.X]\ncancel_cutoff = \"1h\"\n", "rules.clinic") == "unknown key");
}

TEST_CASE("unknown keys report their own line") {
  const auto result = parse("[storage]\nsync_writes = true\ndatadir = \"/x\"\n");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error()[0].key_path == "storage.datadir");
  CHECK(result.error()[0].line == 3);
}

TEST_CASE("wrong types name the expected and the found type") {
  CHECK(only_error("[refresh]\nmax_concurrency = \"10\"\n", "refresh.max_concurrency") ==
        "must be an integer (got a string)");
  CHECK(only_error("[storage]\nsync_writes = 1\n", "storage.sync_writes") ==
        "must be a boolean (true or false) (got an integer)");
  CHECK(only_error("[identity]\nhsa_id = 5565594230\n", "identity.hsa_id") == "must be a string (got an integer)");
  CHECK(only_error("listen = 5\n", "listen") == "must be a table (got an integer)");
  CHECK(only_error("booking_systems = \"TakeCare\"\n", "booking_systems") ==
        "must be an array of tables, written [[booking_systems]] (got a string)");
  CHECK(only_error("[rules.default]\nhidden_time_types = \"Administration\"\n", "rules.default.hidden_time_types") ==
        "must be an array of strings (got a string)");
  CHECK(only_error("[rules.default]\nhidden_time_types = [\"A\", 4]\n", "rules.default.hidden_time_types[1]") ==
        "must be a string (got an integer)");
  CHECK(only_error("[engagement_index]\npoll_jitter = \"10%\"\n", "engagement_index.poll_jitter") ==
        "must be a number (got a string)");
  CHECK(only_error("[logging]\nlevel = \"verbose\"\n", "logging.level") ==
        "must be one of trace, debug, info, warn, error (got \"verbose\")");
}

TEST_CASE("integers outside their type say the representable range") {
  CHECK(only_error("[listen.query]\nport = 70000\n", "listen.query.port") == "must be between 0 and 65535 (got 70000)");
  CHECK(only_error("[refresh]\nretries = -1\n", "refresh.retries") == "must be between 0 and 4294967295 (got -1)");
}

TEST_CASE("durations and sizes in the file") {
  const auto ok = parse(
      "[refresh]\nbackoff_initial = \"250ms\"\nbreaker_open_for = \"1m30s\"\n"
      "[storage]\nblock_cache = \"64MiB\"\n[listen.query]\nmax_body = 65536\n");
  INFO(all_errors(ok));
  REQUIRE(ok.has_value());
  CHECK(ok->refresh.backoff_initial == 250ms);
  CHECK(ok->refresh.breaker_open_for == 90s);
  CHECK(ok->storage.block_cache == 64 * MiB);
  CHECK(ok->listen.query.max_body == 64 * KiB);

  CHECK(only_error("[engagement_index]\npoll_interval = 3600\n", "engagement_index.poll_interval") ==
        "must be a duration string with a unit such as \"250ms\", \"5s\", \"10m\", \"6h\", \"30d\" (got an integer)");
  CHECK(only_error("[engagement_index]\npoll_interval = \"6 hours\"\n", "engagement_index.poll_interval")
            .rfind("bad duration: \"6 hours\" is not a duration", 0) == 0);
  CHECK(only_error("[vp]\ncall_timeout = \"10sec\"\n", "vp.call_timeout")
            .rfind("bad duration: \"10sec\" has an unknown unit \"sec\"", 0) == 0);
  CHECK(only_error("[storage]\nblock_cache = \"lots\"\n", "storage.block_cache")
            .rfind("bad size: \"lots\" is not a size", 0) == 0);
  CHECK(only_error("[storage]\nblock_cache = -1\n", "storage.block_cache") == "must not be negative (got -1)");
  CHECK(only_error("[storage]\nblock_cache = true\n", "storage.block_cache") ==
        "must be a size such as \"64MiB\" or a number of bytes (got a boolean)");
}

TEST_CASE("every error of a file is reported at once, in file order") {
  const auto result =
      parse("[refresh]\nretries = 99\nmax_concurrency = 0\n[storage]\nsync_writes = \"yes\"\ntypo = 1\n");
  REQUIRE_FALSE(result.has_value());
  INFO(all_errors(result));
  REQUIRE(result.error().size() == 4);
  CHECK(result.error()[0].key_path == "refresh.retries");
  CHECK(result.error()[1].key_path == "refresh.max_concurrency");
  CHECK(result.error()[2].key_path == "storage.sync_writes");
  CHECK(result.error()[3].key_path == "storage.typo");
  CHECK(result.error()[0].line == 2);
  CHECK(result.error()[3].line == 6);
}

TEST_CASE("loading a missing, unreadable or oversized file says why") {
  const auto dir = scratch_dir("load");
  const auto missing = load_config(dir / "nope.toml");
  REQUIRE_FALSE(missing.has_value());
  REQUIRE(missing.error().size() == 1);
  CHECK(to_string(missing.error()[0]) == (dir / "nope.toml").string() + ": cannot read the config file: no such file");

  const auto directory = load_config(dir);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error()[0].message == "cannot read the config file: it is a directory");

  const auto big = dir / "big.toml";
  std::ofstream(big) << std::string(5 * MiB, '#');
  const auto too_big = load_config(big);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error()[0].message.find("too large for a config file") != std::string::npos);

  const auto good = dir / "good.toml";
  std::ofstream(good) << "[refresh]\nretries = 4\n";
  const auto loaded = load_config(good);
  REQUIRE(loaded.has_value());
  CHECK(loaded->refresh.retries == 4);

  const auto bad = dir / "bad.toml";
  std::ofstream(bad) << "[refresh]\nretries = 400\n";
  const auto invalid = load_config(bad);
  REQUIRE_FALSE(invalid.has_value());
  CHECK(to_string(invalid.error()[0]) == bad.string() + ":2:11: refresh.retries: must be between 0 and 10 (got 400)");

  if (::geteuid() != 0) {  // root reads any file, so this case only means something for other users
    std::filesystem::permissions(good, std::filesystem::perms::none);
    const auto denied = load_config(good);
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error()[0].message == "cannot read the config file: Permission denied");
  }
}

TEST_CASE("garbage input never crashes the parser") {
  for (const std::string_view text :
       {std::string_view("\0\0\0", 3), std::string_view("[[[[["), std::string_view("a = \"\xff\xfe\""),
        std::string_view("x = [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"),
        std::string_view("[listen]\nquery = []\n")}) {
    const auto result = parse(text);
    CHECK_FALSE(result.has_value());
  }
}
