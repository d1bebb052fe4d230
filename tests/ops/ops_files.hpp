#pragma once
// What the operators' files hold, read the way the tests need it: the Grafana dashboards' panels and
// queries, the Prometheus rule files' alert blocks, and the metric names docs/metrics.md documents.

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace bokade::test::ops {

std::filesystem::path source_dir();
std::vector<std::filesystem::path> dashboard_files();  // dashboards/grafana/dashboards/*.json, sorted
std::vector<std::filesystem::path> rule_files();       // dashboards/rules/*.yml, sorted
std::vector<std::filesystem::path> rule_test_files();  // dashboards/rules/tests/*.yml, sorted
boost::json::value load_json(const std::filesystem::path& file);

// Every panel, rows' nested panels included (row panels themselves too: their type is "row").
std::vector<const boost::json::object*> all_panels(const boost::json::object& dashboard);

struct PanelQuery {
  std::string dashboard;  // title
  std::string panel;      // title
  std::int64_t panel_id = 0;
  std::string ref_id;
  std::string expr;
  // The target's "bokadeMayBeEmpty": why the query may return nothing in a healthy, busy world. Every
  // query without it must return data when evaluated against the live daemon.
  std::optional<std::string> may_be_empty;
};
std::vector<PanelQuery> panel_queries(const boost::json::object& dashboard);

// The dashboard's template variables of type query, e.g. "label_values(bokade_build_info, instance)".
std::vector<std::string> variable_queries(const boost::json::object& dashboard);
// Names of all template variables.
std::set<std::string> variable_names(const boost::json::object& dashboard);

// The `$name` / `${name}` references in a text (Grafana globals such as $__rate_interval included).
std::set<std::string> variable_references(const std::string& text);

// A Grafana query made concrete for Prometheus' HTTP API: $__rate_interval → 1m, $__interval → 15s,
// $__range → 5m, and every template variable (all multi-value, "All" = .*) → .*. Unknown variables are
// left in place (the query then fails, and the test says which).
std::string substitute_variables(std::string expr);

// One alert rule as written in a rule file (a line-based reading of the YAML we write ourselves).
struct AlertBlock {
  std::string name;
  std::string text;  // the rule's lines
};
std::vector<AlertBlock> alert_blocks(const std::string& rules_yaml);
// `- record: name` entries.
std::vector<std::string> recording_rule_names(const std::string& rules_yaml);

// Metric family names docs/metrics.md lists in its tables (first column, `bokade_…`).
std::set<std::string> documented_metrics();

// GitHub's anchor for a Markdown heading text ("BokadeIndexSilent" → "bokadeindexsilent").
std::string heading_anchor(const std::string& heading);
std::set<std::string> markdown_anchors(const std::filesystem::path& file);

std::string percent_encode(const std::string& text);

}  // namespace bokade::test::ops
