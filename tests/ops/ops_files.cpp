#include "ops_files.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "process.hpp"

namespace bokade::test::ops {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir, std::string_view extension) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == extension) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string string_or_empty(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

void collect_panels(const json::array& panels, std::vector<const json::object*>& out) {
  for (const auto& p : panels) {
    if (!p.is_object()) continue;
    out.push_back(&p.as_object());
    if (const auto* nested = p.as_object().if_contains("panels"); nested && nested->is_array()) {
      collect_panels(nested->as_array(), out);
    }
  }
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

fs::path source_dir() { return fs::path(BOKADE_SOURCE_DIR); }
std::vector<fs::path> dashboard_files() { return files_in(source_dir() / "dashboards/grafana/dashboards", ".json"); }
std::vector<fs::path> rule_files() { return files_in(source_dir() / "dashboards/rules", ".yml"); }
std::vector<fs::path> rule_test_files() { return files_in(source_dir() / "dashboards/rules/tests", ".yml"); }

json::value load_json(const fs::path& file) {
  boost::system::error_code ec;
  auto v = json::parse(read_file(file), ec);
  if (ec) throw std::runtime_error(file.string() + ": not JSON: " + ec.message());
  return v;
}

std::vector<const json::object*> all_panels(const json::object& dashboard) {
  std::vector<const json::object*> out;
  if (const auto* panels = dashboard.if_contains("panels"); panels && panels->is_array()) {
    collect_panels(panels->as_array(), out);
  }
  return out;
}

std::vector<PanelQuery> panel_queries(const json::object& dashboard) {
  std::vector<PanelQuery> out;
  const auto title = string_or_empty(dashboard, "title");
  for (const auto* panel : all_panels(dashboard)) {
    const auto* targets = panel->if_contains("targets");
    if (!targets || !targets->is_array()) continue;
    for (const auto& t : targets->as_array()) {
      if (!t.is_object()) continue;
      PanelQuery q;
      q.dashboard = title;
      q.panel = string_or_empty(*panel, "title");
      if (const auto* id = panel->if_contains("id"); id && id->is_int64()) q.panel_id = id->as_int64();
      q.ref_id = string_or_empty(t.as_object(), "refId");
      q.expr = string_or_empty(t.as_object(), "expr");
      if (const auto* m = t.as_object().if_contains("bokadeMayBeEmpty"); m && m->is_string()) {
        q.may_be_empty = std::string(m->as_string());
      }
      out.push_back(std::move(q));
    }
  }
  return out;
}

std::vector<std::string> variable_queries(const json::object& dashboard) {
  std::vector<std::string> out;
  const auto* templating = dashboard.if_contains("templating");
  if (!templating || !templating->is_object()) return out;
  const auto* list = templating->as_object().if_contains("list");
  if (!list || !list->is_array()) return out;
  for (const auto& v : list->as_array()) {
    if (!v.is_object() || string_or_empty(v.as_object(), "type") != "query") continue;
    const auto* q = v.as_object().if_contains("query");
    if (q && q->is_string()) out.emplace_back(q->as_string());
    if (q && q->is_object()) out.push_back(string_or_empty(q->as_object(), "query"));
  }
  return out;
}

std::set<std::string> variable_names(const json::object& dashboard) {
  std::set<std::string> out;
  const auto* templating = dashboard.if_contains("templating");
  if (!templating || !templating->is_object()) return out;
  const auto* list = templating->as_object().if_contains("list");
  if (!list || !list->is_array()) return out;
  for (const auto& v : list->as_array()) {
    if (v.is_object()) out.insert(string_or_empty(v.as_object(), "name"));
  }
  return out;
}

std::set<std::string> variable_references(const std::string& text) {
  static const std::regex ref(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*)(:[a-z]+)?\}?)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), ref); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

std::string substitute_variables(std::string expr) {
  static const std::regex ref(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)");
  std::string out;
  auto last = expr.cbegin();
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), ref); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out.append(last, m[0].first);
    const auto name = m[1].str();
    if (name == "__rate_interval")
      out += "1m";
    else if (name == "__interval")
      out += "15s";
    else if (name == "__range")
      out += "5m";
    else if (name.rfind("__", 0) == 0)
      out += m[0].str();  // another Grafana global: left for the test to flag
    else
      out += ".*";  // every template variable is multi-value with All = .*
    last = m[0].second;
  }
  out.append(last, expr.cend());
  return out;
}

std::vector<AlertBlock> alert_blocks(const std::string& rules_yaml) {
  std::vector<AlertBlock> out;
  std::istringstream in(rules_yaml);
  std::string line;
  static const std::regex alert_line(R"(^\s*- alert:\s*(\S+)\s*$)");
  static const std::regex other_rule(R"(^\s*- (record|name):)");
  std::smatch m;
  AlertBlock* current = nullptr;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, alert_line)) {
      out.push_back({m[1].str(), line + "\n"});
      current = &out.back();
    } else if (std::regex_search(line, other_rule)) {
      current = nullptr;
    } else if (current) {
      current->text += line + "\n";
    }
  }
  return out;
}

std::vector<std::string> recording_rule_names(const std::string& rules_yaml) {
  std::vector<std::string> out;
  static const std::regex record_line(R"(^\s*- record:\s*(\S+)\s*$)");
  std::istringstream in(rules_yaml);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, record_line)) out.push_back(m[1].str());
  }
  return out;
}

std::set<std::string> documented_metrics() {
  std::set<std::string> out;
  std::istringstream in(read_file(source_dir() / "docs/metrics.md"));
  std::string line;
  static const std::regex row(R"(^\|\s*`(bokade_[a-z0-9_]+)`)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, row)) out.insert(m[1].str());
  }
  return out;
}

std::string heading_anchor(const std::string& heading) {
  std::string out;
  for (unsigned char c : trim(heading)) {
    if (std::isalnum(c) || c == '-' || c == '_')
      out += static_cast<char>(std::tolower(c));
    else if (c == ' ')
      out += '-';
    else if (c >= 0x80)
      out += static_cast<char>(c);  // keep UTF-8 letters as GitHub does
  }
  return out;
}

std::set<std::string> markdown_anchors(const fs::path& file) {
  std::set<std::string> out;
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind('#', 0) != 0) continue;
    const auto text = line.substr(line.find_first_not_of('#'));
    out.insert(heading_anchor(text));
  }
  return out;
}

std::string percent_encode(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace bokade::test::ops
