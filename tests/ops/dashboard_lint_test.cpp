// The Grafana dashboards, linted as a reviewer would before provisioning them: the data source is the
// ${datasource} variable everywhere (never a fixed uid), panel ids are unique, every panel has a unit and
// a query, every variable a query uses exists, panels do not overlap, and the dashboards the issue asks
// for are there — with the coverage gap report linked.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ops_files.hpp"
#include "process.hpp"

using namespace bokade::test;
using namespace bokade::test::ops;
namespace json = boost::json;

namespace {

bool is_variable_datasource(const json::value& ds) {
  auto is_var = [](std::string_view s) { return s == "${datasource}" || s == "$datasource"; };
  if (ds.is_string()) return is_var(ds.as_string());
  if (!ds.is_object()) return false;
  const auto* uid = ds.as_object().if_contains("uid");
  return uid && uid->is_string() && is_var(uid->as_string());
}

// Every "datasource" anywhere in the document, with a path for the message.
void find_datasources(const json::value& v, const std::string& path,
                      std::vector<std::pair<std::string, json::value>>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      const auto p = path + "." + std::string(k);
      if (k == "datasource") out.emplace_back(p, child);
      find_datasources(child, p, out);
    }
  } else if (v.is_array()) {
    std::size_t i = 0;
    for (const auto& child : v.as_array()) find_datasources(child, path + "[" + std::to_string(i++) + "]", out);
  }
}

std::string str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

TEST_CASE("dashboard lint: datasource variable, unique panel ids, units, queries, variables, layout") {
  const auto files = dashboard_files();
  REQUIRE(files.size() >= 3);
  std::set<std::string> uids, titles;
  for (const auto& file : files) {
    CAPTURE(file.filename().string());
    const auto doc = load_json(file);
    REQUIRE(doc.is_object());
    const auto& d = doc.as_object();
    const auto uid = str(d, "uid");
    CHECK(!uid.empty());
    CHECK_MESSAGE(uids.insert(uid).second, "duplicate dashboard uid " << uid);
    titles.insert(str(d, "title"));

    // The data source is chosen by the viewer: a variable of type datasource for Prometheus.
    const auto names = variable_names(d);
    bool datasource_variable = false;
    for (const auto& v : d.at("templating").at("list").as_array()) {
      const auto& o = v.as_object();
      if (str(o, "name") == "datasource") {
        datasource_variable = str(o, "type") == "datasource" && str(o, "query") == "prometheus";
      }
    }
    CHECK_MESSAGE(datasource_variable, "no ${datasource} variable of type datasource (query prometheus)");

    // No fixed data source anywhere: every "datasource" is the variable.
    std::vector<std::pair<std::string, json::value>> sources;
    find_datasources(doc, "$", sources);
    CHECK(!sources.empty());
    for (const auto& [path, ds] : sources) {
      CHECK_MESSAGE(is_variable_datasource(ds), path << " is " << json::serialize(ds));
    }

    std::set<std::int64_t> ids;
    std::vector<std::array<std::int64_t, 4>> boxes;  // x, y, w, h of non-nested panels
    for (const auto* panel : all_panels(d)) {
      const auto title = str(*panel, "title");
      CAPTURE(title);
      REQUIRE(panel->contains("id"));
      const auto id = panel->at("id").as_int64();
      CHECK_MESSAGE(ids.insert(id).second, "duplicate panel id " << id);
      CHECK(!title.empty());
      const auto& pos = panel->at("gridPos").as_object();
      const std::array<std::int64_t, 4> box{pos.at("x").as_int64(), pos.at("y").as_int64(), pos.at("w").as_int64(),
                                            pos.at("h").as_int64()};
      CHECK(box[0] >= 0);
      CHECK(box[2] > 0);
      CHECK(box[0] + box[2] <= 24);
      for (const auto& other : boxes) {
        const bool overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2] &&
                             box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
        CHECK_MESSAGE(!overlap, "overlaps another panel");
      }
      boxes.push_back(box);
      if (str(*panel, "type") == "row") continue;

      CHECK_MESSAGE(panel->contains("datasource"), "panel without a datasource");
      const auto* defaults =
          panel->if_contains("fieldConfig") ? panel->at("fieldConfig").as_object().if_contains("defaults") : nullptr;
      const auto unit = defaults && defaults->is_object() ? str(defaults->as_object(), "unit") : std::string();
      CHECK_MESSAGE(!unit.empty(), "panel without fieldConfig.defaults.unit");
      CHECK(!str(*panel, "description").empty());

      const auto* targets = panel->if_contains("targets");
      REQUIRE_MESSAGE((targets && targets->is_array() && !targets->as_array().empty()), "panel without queries");
      std::set<std::string> refs;
      for (const auto& t : targets->as_array()) {
        const auto& o = t.as_object();
        CHECK_MESSAGE(o.contains("datasource"), "query without a datasource");
        CHECK(refs.insert(str(o, "refId")).second);
        const auto expr = str(o, "expr");
        CHECK(!expr.empty());
        for (const auto& ref : variable_references(expr)) {
          CAPTURE(ref);
          CHECK((names.contains(ref) || ref == "__rate_interval" || ref == "__interval" || ref == "__range"));
        }
        if (const auto* m = o.if_contains("bokadeMayBeEmpty")) {
          CHECK_MESSAGE((m->is_string() && !m->as_string().empty()), "bokadeMayBeEmpty needs a reason");
        }
      }
    }
    // Variables used in links (the gap report's address) exist too.
    std::string links_text;
    if (const auto* links = d.if_contains("links")) links_text += json::serialize(*links);
    for (const auto* panel : all_panels(d)) {
      if (const auto* links = panel->if_contains("links")) links_text += json::serialize(*links);
    }
    for (const auto& ref : variable_references(links_text)) {
      CAPTURE(ref);
      CHECK(names.contains(ref));
    }
  }
  for (const auto* title : {"bokade — Coverage", "bokade — Booking systems", "bokade — Daemon"}) {
    CAPTURE(title);
    CHECK(titles.contains(title));
  }
}

TEST_CASE("the Coverage dashboard shows national, regional and per-system coverage and links the gap report") {
  json::value coverage;
  for (const auto& f : dashboard_files()) {
    auto doc = load_json(f);
    if (doc.at("title").as_string() == "bokade — Coverage") coverage = std::move(doc);
  }
  REQUIRE(coverage.is_object());
  std::set<std::string> exprs;
  for (const auto& q : panel_queries(coverage.as_object())) exprs.insert(q.expr);
  auto uses = [&](std::string_view what) {
    return std::any_of(exprs.begin(), exprs.end(),
                       [&](const std::string& e) { return e.find(what) != std::string::npos; });
  };
  CHECK(uses("national:bokade_coverage:ratio"));
  CHECK(uses("region:bokade_coverage:ratio"));
  CHECK(uses("booking_system:bokade_coverage:ratio"));
  const auto text = json::serialize(coverage);
  CHECK(text.find("/admin/coverage?limit=") != std::string::npos);
}

TEST_CASE("Grafana file provisioning points at the dashboards") {
  const auto provisioning = source_dir() / "dashboards/grafana/provisioning/dashboards/bokade.yml";
  REQUIRE(std::filesystem::exists(provisioning));
  const auto text = read_file(provisioning);
  CHECK(text.find("apiVersion: 1") != std::string::npos);
  CHECK(text.find("type: file") != std::string::npos);
  CHECK(text.find("path:") != std::string::npos);
}

TEST_CASE("Grafana variables become concrete PromQL for the live check") {
  CHECK(substitute_variables(R"(rate(x{a=~"$booking_system",i=~"${instance}"}[$__rate_interval]))") ==
        R"(rate(x{a=~".*",i=~".*"}[1m]))");
  CHECK(variable_references("${admin_url}/admin/coverage and $region") == std::set<std::string>{"admin_url", "region"});
  CHECK(heading_anchor(" BokadeIndexSilent") == "bokadeindexsilent");
  CHECK(heading_anchor("Coverage drop (per region)") == "coverage-drop-per-region");
}
