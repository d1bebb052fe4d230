// The Prometheus rules as an operator relies on them: promtool accepts them, every recording rule and every
// alert has a unit test (alerts both firing and not firing) and the tests pass, and every alert carries a
// severity, a summary, a description and a runbook paragraph that exists in docs/operations.md.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include "ops_files.hpp"
#include "process.hpp"

using namespace bokade::test;
using namespace bokade::test::ops;

namespace {

std::string promtool() {
  const std::string path = PROMTOOL_PATH;
  REQUIRE_MESSAGE(path.find("NOTFOUND") == std::string::npos, "promtool is missing: run scripts/setup");
  return path;
}

std::string all_text(const std::vector<std::filesystem::path>& files) {
  std::string out;
  for (const auto& f : files) out += read_file(f) + "\n";
  return out;
}

// alertname → {has a firing expectation, has a not-firing expectation}, read from the unit tests.
std::map<std::string, std::pair<bool, bool>> alert_expectations(const std::string& tests_yaml) {
  std::map<std::string, std::pair<bool, bool>> out;
  static const std::regex alertname(R"(^\s*- alertname:\s*(\S+)\s*$)");
  static const std::regex empty(R"(^\s*exp_alerts:\s*\[\]\s*$)");
  static const std::regex firing(R"(^\s*- exp_labels:)");
  std::istringstream in(tests_yaml);
  std::string line, current;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, alertname)) {
      current = m[1].str();
      out.try_emplace(current, false, false);
    } else if (line.find("- name:") != std::string::npos || line.find("input_series:") != std::string::npos) {
      current.clear();
    } else if (!current.empty() && std::regex_match(line, empty)) {
      out[current].second = true;
    } else if (!current.empty() && std::regex_search(line, firing)) {
      out[current].first = true;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("promtool check rules accepts every rule file") {
  const auto files = rule_files();
  REQUIRE(files.size() >= 2);
  std::vector<std::string> argv{promtool(), "check", "rules"};
  for (const auto& f : files) argv.push_back(f.string());
  auto r = run(argv);
  CHECK_MESSAGE(r.status == 0, r.output);
  CHECK(r.output.find("FAILED") == std::string::npos);
}

TEST_CASE("promtool test rules: the unit tests of every recording rule and alert pass") {
  const auto files = rule_test_files();
  REQUIRE(files.size() >= 2);
  std::vector<std::string> argv{promtool(), "test", "rules"};
  for (const auto& f : files) argv.push_back(f.string());
  // The test files name their rule files relative to themselves.
  auto r = run(argv);
  CHECK_MESSAGE(r.status == 0, r.output);
  CHECK(r.output.find("FAILED") == std::string::npos);
}

TEST_CASE("every alert is unit-tested firing and not firing, and every recording rule is tested") {
  const auto rules = all_text(rule_files());
  const auto tests = all_text(rule_test_files());
  const auto alerts = alert_blocks(rules);
  REQUIRE(alerts.size() >= 6);
  const auto expectations = alert_expectations(tests);
  for (const auto& a : alerts) {
    CAPTURE(a.name);
    REQUIRE(expectations.contains(a.name));
    CHECK_MESSAGE(expectations.at(a.name).first, "no test where it fires");
    CHECK_MESSAGE(expectations.at(a.name).second, "no test where it stays silent");
  }
  const auto records = recording_rule_names(rules);
  REQUIRE(records.size() >= 3);
  for (const auto& r : records) {
    CAPTURE(r);
    CHECK(tests.find("expr: " + r) != std::string::npos);
  }
  // The issue's alerts, by what they watch.
  for (const auto* name :
       {"BokadeIndexSilent", "BokadeCoverageDrop", "BokadeBookingSystemDown", "BokadeTooManyBreakersOpen",
        "BokadeScheduleLag", "BokadeQueryApiErrorBudgetBurnFast", "BokadeQueryApiErrorBudgetBurnSlow"}) {
    CAPTURE(name);
    CHECK(std::any_of(alerts.begin(), alerts.end(), [&](const AlertBlock& a) { return a.name == name; }));
  }
  for (const auto* name :
       {"national:bokade_coverage:ratio", "region:bokade_coverage:ratio", "booking_system:bokade_coverage:ratio"}) {
    CAPTURE(name);
    CHECK(std::find(records.begin(), records.end(), name) != records.end());
  }
}

TEST_CASE("every alert has a severity, a summary, a description and a runbook paragraph in docs/operations.md") {
  const auto operations = source_dir() / "docs/operations.md";
  REQUIRE(std::filesystem::exists(operations));
  const auto anchors = markdown_anchors(operations);
  const auto text = read_file(operations);
  static const std::regex runbook(R"re(runbook:\s*"docs/operations\.md#([^"]+)")re");
  static const std::regex severity(R"(severity:\s*(page|ticket)\s)");
  for (const auto& a : alert_blocks(all_text(rule_files()))) {
    CAPTURE(a.name);
    CHECK(std::regex_search(a.text, severity));
    CHECK(a.text.find("summary:") != std::string::npos);
    CHECK(a.text.find("description:") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(a.text, m, runbook));
    CHECK_MESSAGE(anchors.contains(m[1].str()), "docs/operations.md has no heading for #" << m[1].str());
    CHECK(text.find(a.name) != std::string::npos);
  }
}
