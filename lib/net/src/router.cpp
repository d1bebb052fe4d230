#include "bokade/net/router.hpp"

#include <algorithm>

namespace bokade::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const auto next = path.find('/', pos);
    out.push_back(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

}  // namespace

void Router::add(std::string method, std::string pattern, std::string name, Handler handler, std::size_t max_body) {
  Route r;
  r.max_body = max_body;
  r.method = std::move(method);
  r.name = std::move(name);
  r.handler = std::move(handler);
  if (pattern.size() >= 2 && pattern.ends_with("/*")) {
    r.prefix = true;
    pattern.resize(pattern.size() - 2);
  }
  for (auto seg : split_path(pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  result.name = "unmatched";
  result.status = 404;
  const auto segs = split_path(path);
  for (const auto& r : routes_) {
    if (r.prefix ? segs.size() < r.segments.size() : segs.size() != r.segments.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < r.segments.size() && ok; ++i) {
      if (is_param(r.segments[i])) {
        params.emplace_back(segs[i]);
      } else {
        ok = r.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      result.status = 405;
      if (result.allow.find(r.method) == std::string::npos) {
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += r.method;
      }
      continue;
    }
    result.handler = &r.handler;
    result.name = r.name;
    result.status = 200;
    result.allow.clear();
    result.params = std::move(params);
    result.max_body = r.max_body;
    return result;
  }
  return result;
}

std::vector<std::string> Router::names() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) {
    if (std::find(out.begin(), out.end(), r.name) == out.end()) out.push_back(r.name);
  }
  out.emplace_back("unmatched");
  return out;
}

}  // namespace bokade::net
