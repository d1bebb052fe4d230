// bokaded as a user meets it: a real process on loopback, RocksDB on disk, signals, promtool.

#include <doctest/doctest.h>

#include <csignal>
#include <fmt/format.h>

#include "bokade/store/store.hpp"
#include "daemon_support.hpp"
#include "http_client.hpp"
#include "process.hpp"

using namespace bokade::test;
using namespace std::chrono_literals;

using bokade::test::Daemon;
using bokade::test::daemon_config;

namespace {
std::string config_text(const std::filesystem::path& data_dir, std::string_view log_level = "info") {
  return daemon_config(data_dir, log_level);
}
}  // namespace

TEST_CASE("bokaded serves health and metrics, reloads on SIGHUP and stops cleanly on SIGTERM") {
  TempDir dir;
  const auto data = dir.path() / "data";
  Daemon d(dir.path(), config_text(data));
  REQUIRE_MESSAGE(d.wait_ready(), d.log());

  auto health = http_get(d.admin, "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  CHECK(http_get(d.query, "/healthz").status == 200);
  CHECK(http_get(d.admin, "/readyz").status == 200);

  auto missing = http_get(d.admin, "/nope");
  CHECK(missing.status == 404);
  CHECK(missing.header("Content-Type") == "application/problem+json");
  CHECK(missing.body.find("\"status\":404") != std::string::npos);
  auto wrong_method = http_request(d.admin, "POST", "/healthz", "x");
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.header("Allow") == "GET");
  auto huge_header = http_request(d.admin, "GET", "/healthz", "", {{"X-Big", std::string(40000, 'a')}});
  CHECK(huge_header.status == 431);

  // /metrics is valid exposition format by promtool's own check.
  auto metrics = http_get(d.admin, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.header("Content-Type").find("text/plain; version=0.0.4") == 0);
  CHECK(metrics.body.find("bokade_build_info{version=") != std::string::npos);
  CHECK(metrics.body.find("bokade_store_keys{column_family=\"engagements\"}") != std::string::npos);
  CHECK(metrics.body.find(R"(bokade_http_requests_total{code="404",listener="admin",route="unmatched"} 1)") !=
        std::string::npos);
  CHECK(metrics.body.find(R"(bokade_http_requests_total{code="200",listener="admin",route="healthz"} 1)") !=
        std::string::npos);
  REQUIRE_MESSAGE(std::string(PROMTOOL_PATH).find("NOTFOUND") == std::string::npos,
                  "promtool is missing: run scripts/setup");
  auto check = run({PROMTOOL_PATH, "check", "metrics"}, metrics.body);
  CHECK_MESSAGE(check.status == 0, check.output);

  // A bad file on SIGHUP keeps the running configuration and says why.
  write_file(d.config_path, config_text(data) + "\n[refresh]\nmax_concurrency = 0\n");
  d.process->signal(SIGHUP);
  CHECK(eventually([&] { return d.log().find("configuration reload failed") != std::string::npos; }, 5s));
  CHECK(d.log().find("refresh.max_concurrency") != std::string::npos);
  CHECK(http_get(d.admin, "/healthz").status == 200);

  // A good one is applied; a changed listener is reported as needing a restart.
  write_file(d.config_path, config_text(data, "debug") + "\n[refresh]\nmax_concurrency = 8\n");
  d.process->signal(SIGHUP);
  CHECK(eventually([&] { return d.log().find("configuration reloaded") != std::string::npos; }, 5s));
  auto after = http_get(d.admin, "/metrics");
  CHECK(after.body.find(R"(bokade_config_reloads_total{result="error"} 1)") != std::string::npos);
  CHECK(after.body.find(R"(bokade_config_reloads_total{result="ok"} 1)") != std::string::npos);

  // A second daemon on the same data directory refuses with a clear reason and no crash.
  {
    Daemon second(dir.path(), config_text(data), "second");
    auto status = second.process->wait(15s);
    REQUIRE(status.has_value());
    CHECK(*status == 1);
    CHECK(second.log().find("in use by another bokaded") != std::string::npos);
  }
  CHECK(http_get(d.admin, "/healthz").status == 200);

  d.process->signal(SIGTERM);
  auto status = d.process->wait(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(d.log().find("stopped cleanly") != std::string::npos);

  // Every log line is a JSON object.
  const auto log = d.log();
  std::size_t pos = 0;
  while (pos < log.size()) {
    const auto end = log.find('\n', pos);
    const auto line = log.substr(pos, end - pos);
    if (!line.empty()) CHECK_MESSAGE((line.front() == '{' && line.back() == '}'), line);
    if (end == std::string::npos) break;
    pos = end + 1;
  }

  // The database closed cleanly and opens again with its schema version.
  auto reopened = bokade::store::Store::open(data, {});
  REQUIRE_MESSAGE(reopened.has_value(), (reopened ? "" : reopened.error().message));
  CHECK((*reopened)->recorded_schema_version() == bokade::store::schema_version);
}

TEST_CASE("bokaded refuses what it cannot use, with the reason") {
  TempDir dir;
  SUBCASE("a data directory that is a file") {
    const auto file = dir.path() / "not-a-dir";
    write_file(file, "x");
    Daemon d(dir.path(), config_text(file));
    auto status = d.process->wait(15s);
    REQUIRE(status.has_value());
    CHECK(*status == 1);
    CHECK(d.log().find("cannot create data directory") != std::string::npos);
  }
  SUBCASE("an invalid configuration exits 2 and names the key") {
    Daemon d(dir.path(), config_text(dir.path() / "data") + "\n[refresh]\nretries = \"three\"\n");
    auto status = d.process->wait(15s);
    REQUIRE(status.has_value());
    CHECK(*status == 2);
    CHECK(d.log().find("refresh.retries") != std::string::npos);
  }
  SUBCASE("a busy port") {
    Daemon first(dir.path(), config_text(dir.path() / "data1"), "first");
    REQUIRE(first.wait_ready());
    const auto port = first.admin.substr(first.admin.rfind(':') + 1);
    auto cfg = config_text(dir.path() / "data2");
    cfg.replace(cfg.find("port = 0", cfg.find("[listen.admin]")), 8, "port = " + port);
    Daemon second(dir.path(), cfg, "second");
    auto status = second.process->wait(15s);
    REQUIRE(status.has_value());
    CHECK(*status == 1);
    CHECK(second.log().find("cannot bind") != std::string::npos);
  }
}

TEST_CASE("command line: --version, --check-config, bokadectl check-config") {
  TempDir dir;
  auto version = run({BOKADED_PATH, "--version"});
  CHECK(version.status == 0);
  CHECK(version.output.find("bokaded ") == 0);

  const auto good = dir.path() / "good.toml";
  write_file(good, config_text(dir.path() / "data"));
  auto ok = run({BOKADED_PATH, "--check-config", good.string()});
  CHECK_MESSAGE(ok.status == 0, ok.output);
  CHECK(ok.output.find(": ok") != std::string::npos);

  const auto bad = dir.path() / "bad.toml";
  write_file(bad, config_text(dir.path() / "data") + "\n[refresh]\nbreaker_max_open_share = 1.5\n");
  auto rejected = run({BOKADED_PATH, "--check-config", bad.string()});
  CHECK(rejected.status == 2);
  CHECK(rejected.output.find("refresh.breaker_max_open_share") != std::string::npos);
  auto ctl = run({BOKADECTL_PATH, "check-config", bad.string()});
  CHECK(ctl.status == 2);
  CHECK(ctl.output.find("refresh.breaker_max_open_share") != std::string::npos);
  CHECK(run({BOKADECTL_PATH, "check-config", (dir.path() / "missing.toml").string()}).status == 2);
  CHECK(run({BOKADECTL_PATH, "frobnicate"}).status == 2);

  // The embedded default is the documented file, and it is valid.
  auto def = run({BOKADECTL_PATH, "default-config"});
  CHECK(def.status == 0);
  CHECK(def.output == read_file(std::filesystem::path(BOKADE_SOURCE_DIR) / "config" / "bokaded.toml"));
}

TEST_CASE("the store refuses a database from a newer bokade") {
  TempDir dir;
  {
    auto s = bokade::store::Store::open(dir.path(), {});
    REQUIRE(s.has_value());
    const char newer[4] = {0, 0, 0, 99};
    REQUIRE((*s)->put(bokade::store::Column::meta, "schema_version", std::string_view(newer, 4)));
  }
  auto again = bokade::store::Store::open(dir.path(), {});
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().message.find("schema version 99, newer than this bokaded supports") != std::string::npos);
}
