// The operators' view end to end, as an operator would check it before trusting a dashboard: bokade-sim
// plays the national platform, bokaded follows it (index push, legacy relations, refreshes), and a real
// Prometheus (the Debian package) scrapes the daemon every second with dashboards/rules loaded. All three
// are separate processes on 127.0.0.1 and stop with the test.
//
// Checked:
// - the first scrape after start already holds every documented family and every known label set;
// - `promtool check metrics` accepts a live scrape of a daemon with data;
// - every dashboard query and every template variable query, made concrete ($__rate_interval → 1m,
//   multi-value variables → .*), is evaluated by Prometheus without error, and returns data unless the
//   query is marked "bokadeMayBeEmpty" in the dashboard JSON (with the reason);
// - every rule is loaded and evaluated healthy, and every recording rule has data (a few citizens' queries
//   are sent so that the query API's error ratios have traffic);
// - the recorded coverage ratios equal what /admin/coverage reports, nationally, per region and per system.

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "daemon_support.hpp"
#include "http_client.hpp"
#include "ops_files.hpp"
#include "platform.hpp"
#include "process.hpp"

using namespace bokade::test;
using namespace bokade::test::ops;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string str(const json::value& v, std::string_view key) { return json::value_to<std::string>(v.at(key)); }

struct PromResult {
  bool ok = false;
  std::string error;
  json::array result;
};

PromResult prometheus_query(const std::string& address, const std::string& query) {
  PromResult out;
  auto r = http_get(address, "/api/v1/query?query=" + percent_encode(query));
  if (r.status == 0) {
    out.error = "no answer: " + r.error;
    return out;
  }
  auto v = json::parse(r.body);
  if (v.at("status").as_string() != "success") {
    out.error = str(v, "errorType") + ": " + str(v, "error");
    return out;
  }
  out.ok = true;
  const auto& data = v.at("data");
  if (data.at("resultType").as_string() == "vector" || data.at("resultType").as_string() == "matrix") {
    out.result = data.at("result").as_array();
  } else {
    out.result.push_back(data.at("result"));  // scalar or string: one value
  }
  return out;
}

double sample_value(const json::value& sample) {
  return std::stod(json::value_to<std::string>(sample.at("value").as_array()[1]));
}

// Every label value in a text exposition.
std::set<std::string> label_values(const std::string& exposition) {
  static const std::regex value(R"re(="((?:[^"\\]|\\.)*)")re");
  std::set<std::string> out;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto open = line.find('{'), close = line.rfind('}');
    if (open == std::string::npos || close == std::string::npos) continue;
    const auto labels = line.substr(open, close - open);
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), value); it != std::sregex_iterator(); ++it) {
      out.insert((*it)[1].str());
    }
  }
  return out;
}

// Metric family → number of samples in a text exposition.
std::map<std::string, int> families(const std::string& exposition) {
  std::map<std::string, int> out;
  std::istringstream in(exposition);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      t >> current;
      out[current];
    } else if (!line.empty() && line[0] != '#' && !current.empty()) {
      ++out[current];
    }
  }
  return out;
}

int count_lines_starting(const std::string& exposition, const std::string& prefix) {
  int n = 0;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

PlatformOptions live_world() {
  PlatformOptions o;
  o.persons = 2000;
  o.seed = 11;
  o.sim_args = {"--systems", "12", "--ei-replay-on-start"};
  o.configure_world = true;  // every region and booking system of the simulated world in the configuration
  o.write_relations = true;  // and the legacy relations the simulator wrote
  return o;
}

// The end-to-end platform (bokade-sim and a bokaded following it, tests/pipeline/platform.hpp) and a
// Prometheus scraping the daemon.
struct LivePlatform : Platform {
  LivePlatform() : Platform({}, live_world()) {
    for (const auto& r : world.at("regions").as_array()) regions.push_back(str(r, "name"));
    for (const auto& s : world.at("systems").as_array()) systems.push_back(str(s, "id"));
  }

  // Prometheus scraping the daemon's admin listener every second, with the repository's rules.
  void start_prometheus() {
    std::string rules;
    for (const auto& f : rule_files()) rules += fmt::format("  - {}\n", f.string());
    const auto config = dir.path() / "prometheus.yml";
    write_file(config, fmt::format(R"(global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
{}scrape_configs:
  - job_name: bokade
    static_configs:
      - targets: ["{}"]
)",
                                   rules, daemon->admin));
    prometheus_address = fmt::format("127.0.0.1:{}", free_port());
    const std::string path = PROMETHEUS_PATH;
    REQUIRE_MESSAGE(path.find("NOTFOUND") == std::string::npos, "prometheus is missing: run scripts/setup");
    prometheus = std::make_unique<Process>(
        std::vector<std::string>{path, "--config.file=" + config.string(),
                                 "--storage.tsdb.path=" + (dir.path() / "prometheus").string(),
                                 "--web.listen-address=" + prometheus_address, "--log.level=warn"},
        dir.path() / "prometheus.log");
    REQUIRE_MESSAGE(eventually([&] { return http_get(prometheus_address, "/-/ready").status == 200; }, 30s),
                    read_file(dir.path() / "prometheus.log"));
  }

  std::vector<std::string> regions, systems;
  std::unique_ptr<Process> prometheus;
  std::string prometheus_address;
};

}  // namespace

TEST_CASE("dashboards and rules evaluated by a real Prometheus scraping bokaded fed by bokade-sim") {
  const auto started = std::chrono::steady_clock::now();
  LivePlatform p;

  // ---- Every series present from start: the first scrape holds every documented family, each with
  // samples, and every label set known from the configuration.
  {
    const auto first = http_get(p.daemon->admin, "/metrics").body;
    const auto exposed = families(first);
    const auto documented = documented_metrics();
    REQUIRE(documented.size() >= 30);
    for (const auto& name : documented) {
      CAPTURE(name);
      CHECK(exposed.contains(name));
      CHECK((exposed.contains(name) && exposed.at(name) > 0));
    }
    for (const auto& [name, samples] : exposed) {
      CAPTURE(name);
      CHECK_MESSAGE(documented.contains(name), "exposed but not in docs/metrics.md");
    }
    const auto systems = static_cast<int>(p.systems.size()) + 1;  // + "other"
    const auto regions = static_cast<int>(p.regions.size()) + 1;
    CHECK(count_lines_starting(first, "bokade_source_calls_total{") == systems * 11);
    CHECK(count_lines_starting(first, "bokade_source_breaker_open{") == systems);
    CHECK(count_lines_starting(first, "bokade_coverage_appointments{") == regions * systems * 3);
    CHECK(count_lines_starting(first, "bokade_coverage_relation_indexed_appointments{") == regions * systems);
    CHECK(count_lines_starting(first, "bokade_store_keys{") == 6);
  }

  p.start_prometheus();
  REQUIRE(eventually(
      [&] {
        auto up = prometheus_query(p.prometheus_address, R"(up{job="bokade"} == 1)");
        return up.ok && !up.result.empty();
      },
      20s));

  // ---- Traffic: the index's push is under way; the legacy relations make every related person refresh.
  {
    auto imported = http_request(p.daemon->admin, "POST", "/admin/relations", read_file(p.relations_file()),
                                 {{"Content-Type", "text/csv"}});
    REQUIRE_MESSAGE(imported.status == 200, imported.body);
  }
  int idle = 0;
  while (idle < 10 && std::chrono::steady_clock::now() - started < 90s) {
    const auto push = get_json(p.sim_address, "/control/ei/stats");
    const auto q = get_json(p.daemon->admin, "/admin/sources").at("refreshQueue");
    const bool pushed = push.at("replay_remaining").to_number<std::int64_t>() == 0 &&
                        push.at("queued").to_number<std::int64_t>() == 0 &&
                        push.at("awaiting_redelivery").to_number<std::int64_t>() == 0;
    idle = (pushed && q.at("waiting").as_int64() == 0 && q.at("running").as_int64() == 0) ? idle + 1 : 0;
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE_MESSAGE(idle >= 10, "the index push and the refreshes did not finish in time");

  // Citizens' queries on the query listener (answered from the fresh cache), so that the query API's
  // error-budget figures have traffic to measure.
  {
    std::istringstream relations(read_file(p.relations_file()));
    std::string line;
    std::set<std::string> asked;
    while (std::getline(relations, line) && asked.size() < 20) {
      if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
      const auto person = line.substr(0, line.find(','));
      if (!asked.insert(person).second) continue;
      auto r = http_get(p.daemon->query, "/v1/persons/" + person + "/appointments");
      CHECK_MESSAGE(r.status == 200, r.status << " " << r.error << r.body);
    }
  }

  // The operator's coverage report (it also recomputes the coverage gauges).
  const auto report = get_json(p.daemon->admin, "/admin/coverage?limit=5");
  const double national = report.at("national").at("coverage").to_number<double>();
  REQUIRE(report.at("national").at("relation_path").to_number<std::int64_t>() > 0);
  MESSAGE("national coverage (/admin/coverage): " << json::serialize(report.at("national")));

  // ---- A live scrape of a daemon with data passes promtool's lint, and carries no person.
  {
    const auto scrape = http_get(p.daemon->admin, "/metrics").body;
    const std::string promtool = PROMTOOL_PATH;
    REQUIRE_MESSAGE(promtool.find("NOTFOUND") == std::string::npos, "promtool is missing: run scripts/setup");
    auto check = run({promtool, "check", "metrics"}, scrape);
    CHECK_MESSAGE(check.status == 0, check.output);
    CHECK_MESSAGE(check.output.empty(), check.output);
    // Never a person and never a clinic in a label: no label value holds a personnummer of the world's
    // related persons or a clinic's HSA-id.
    const auto values = label_values(scrape);
    std::set<std::string> persons;
    {
      std::istringstream relations(read_file(p.relations_file()));
      std::string line;
      while (std::getline(relations, line)) {
        if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
          persons.insert(line.substr(0, line.find(',')));
      }
    }
    REQUIRE(persons.size() > 100);
    static const std::regex twelve_digits("[0-9]{12}");
    for (const auto& v : values) {
      CAPTURE(v);
      for (auto it = std::sregex_iterator(v.begin(), v.end(), twelve_digits); it != std::sregex_iterator(); ++it) {
        CHECK_MESSAGE(!persons.contains(it->str()), "a person in a metric label");
      }
    }
    for (const auto& c : p.world.at("clinics").as_array()) {
      const auto clinic = str(c, "hsa_id");
      CHECK_MESSAGE(!values.contains(clinic), "a clinic in a metric label: " << clinic);
    }
    // The TAK figures are the snapshot the daemon reports; the write queue has written.
    const auto tak = get_json(p.daemon->admin, "/admin/sources").at("tak");
    CHECK(scrape.find(fmt::format("bokade_tak_snapshot_entries{{kind=\"permission\"}} {}\n",
                                  tak.at("permissions").to_number<std::int64_t>())) != std::string::npos);
    CHECK(scrape.find(fmt::format("bokade_tak_snapshot_entries{{kind=\"route\"}} {}\n",
                                  tak.at("routes").to_number<std::int64_t>())) != std::string::npos);
    CHECK(scrape.find("bokade_store_write_batches_total 0\n") == std::string::npos);
    CHECK(scrape.find("bokade_tak_snapshot_loaded_timestamp_seconds 0\n") == std::string::npos);
  }

  // ---- The recorded coverage ratios equal the daemon's own report, nationally, per region and per
  // booking system, once Prometheus has scraped the new figures and evaluated the rules.
  struct Scope {
    std::string recorded, label, report_key, name_key;
  };
  const std::vector<Scope> scopes{
      {"region:bokade_coverage:ratio", "region", "regions", "region"},
      {"booking_system:bokade_coverage:ratio", "booking_system", "bookingSystems", "bookingSystem"}};
  int compared = 0;
  // Empty when every recorded ratio equals the report; else what differs.
  auto differences = [&] {
    std::string out;
    compared = 0;
    auto r = prometheus_query(p.prometheus_address, "national:bokade_coverage:ratio");
    if (!r.ok || r.result.size() != 1 || std::abs(sample_value(r.result[0]) - national) > 1e-12) {
      out += fmt::format("national: recorded {} vs {}\n", json::serialize(r.result), national);
    }
    for (const auto& scope : scopes) {
      auto rs = prometheus_query(p.prometheus_address, scope.recorded);
      std::map<std::string, double> got;
      for (const auto& s : rs.result) got[str(s.at("metric"), scope.label)] = sample_value(s);
      for (const auto& row : report.at(scope.report_key).as_array()) {
        const auto name = str(row, scope.name_key);
        const bool has_relations = row.at("relation_path").to_number<std::int64_t>() > 0;
        if (!has_relations) {
          // No ratio where the relation path finds nothing.
          if (got.contains(name))
            out += fmt::format("{} {}: a ratio without relation-path appointments\n", scope.recorded, name);
          continue;
        }
        const double want = row.at("coverage").to_number<double>();
        if (!got.contains(name)) {
          out += fmt::format("{} {}: missing (report {})\n", scope.recorded, name, want);
        } else if (std::abs(got.at(name) - want) > 1e-12) {
          out += fmt::format("{} {}: recorded {} vs report {}\n", scope.recorded, name, got.at(name), want);
        }
        ++compared;
      }
    }
    return out;
  };
  eventually([&] { return differences().empty(); }, 20s);
  const auto diff = differences();
  CHECK_MESSAGE(diff.empty(), diff);
  CHECK(compared >= 10);
  MESSAGE("national:bokade_coverage:ratio = "
          << json::serialize(prometheus_query(p.prometheus_address, "national:bokade_coverage:ratio").result) << "; "
          << compared << " regional and per-system ratios equal the report");

  // ---- Every dashboard query, evaluated (once the queries above are in the query API's error ratio).
  CHECK(eventually(
      [&] {
        auto r = prometheus_query(p.prometheus_address, "query_api:bokade_http_request_errors:ratio_rate5m");
        return r.ok && !r.result.empty();
      },
      20s));
  int evaluated = 0, with_data = 0;
  for (const auto& file : dashboard_files()) {
    const auto doc = load_json(file);
    for (const auto& q : panel_queries(doc.as_object())) {
      const auto concrete = substitute_variables(q.expr);
      CAPTURE(q.dashboard);
      CAPTURE(q.panel);
      CAPTURE(q.ref_id);
      CAPTURE(concrete);
      CHECK(concrete.find('$') == std::string::npos);
      auto r = prometheus_query(p.prometheus_address, concrete);
      CHECK_MESSAGE(r.ok, r.error);
      ++evaluated;
      if (!r.result.empty()) ++with_data;
      if (!q.may_be_empty)
        CHECK_MESSAGE(!r.result.empty(), "no data (mark bokadeMayBeEmpty with a reason if it may be)");
    }
    // Template variables: label_values(metric, label) as Grafana asks Prometheus for it.
    static const std::regex label_values(
        R"(^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$)");
    for (const auto& v : variable_queries(doc.as_object())) {
      CAPTURE(v);
      std::smatch m;
      REQUIRE(std::regex_match(v, m, label_values));
      auto values = get_json(p.prometheus_address,
                             "/api/v1/label/" + m[2].str() + "/values?match[]=" + percent_encode(m[1].str()));
      CHECK(!values.at("data").as_array().empty());
    }
  }
  MESSAGE(evaluated << " dashboard queries evaluated, " << with_data << " with data");
  CHECK(evaluated >= 40);

  // ---- Every rule loaded, evaluated healthy, and its expression evaluated; recording rules have data.
  std::size_t expected_rules = 0;
  for (const auto& f : rule_files()) {
    const auto text = read_file(f);
    expected_rules += recording_rule_names(text).size() + alert_blocks(text).size();
  }
  json::value groups;
  REQUIRE(eventually(
      [&] {
        groups = get_json(p.prometheus_address, "/api/v1/rules").at("data").at("groups");
        std::size_t evaluated_rules = 0;
        for (const auto& g : groups.as_array()) {
          for (const auto& r : g.at("rules").as_array()) {
            if (str(r, "lastEvaluation").rfind("0001-", 0) != 0) ++evaluated_rules;
          }
        }
        return evaluated_rules == expected_rules;
      },
      20s));
  std::size_t rules_seen = 0;
  for (const auto& g : groups.as_array()) {
    for (const auto& r : g.at("rules").as_array()) {
      ++rules_seen;
      const auto name = str(r, "name");
      CAPTURE(name);
      CHECK(str(r, "health") == "ok");
      if (const auto* e = r.as_object().if_contains("lastError")) CHECK(e->as_string().empty());
      auto result = prometheus_query(p.prometheus_address, str(r, "query"));
      CHECK_MESSAGE(result.ok, result.error);
      if (str(r, "type") == "recording") {
        CHECK_MESSAGE(!result.result.empty(), "a recording rule without data");
      }
    }
  }
  CHECK(rules_seen == expected_rules);

  // ---- Everything stops cleanly.
  p.prometheus->signal(SIGTERM);
  CHECK(p.prometheus->wait(15s) == 0);
  p.daemon->process->signal(SIGTERM);
  CHECK(p.daemon->process->wait(15s) == 0);
  p.sim->signal(SIGTERM);
  CHECK(p.sim->wait(15s).has_value());
  MESSAGE("took " << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");
}
