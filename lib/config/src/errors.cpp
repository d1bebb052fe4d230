#include "errors.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace bokade::config::detail {
namespace {

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

std::string join_key(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  if (is_bare_key(key)) {
    out += key;
  } else {
    out += '"';
    for (char c : key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

std::string index_key(std::string_view parent, std::size_t index) { return fmt::format("{}[{}]", parent, index); }

void Errors::add(std::string key_path, std::string message) {
  // Walk up "a.b[2].c" → "a.b[2]" → "a.b" → "a" until a noted position is found.
  std::string probe = key_path;
  while (!probe.empty()) {
    if (const auto it = where_.find(probe); it != where_.end()) {
      add(std::move(key_path), std::move(message), it->second.first, it->second.second);
      return;
    }
    const auto cut = probe.find_last_of(".[");
    if (cut == std::string::npos) break;
    probe.resize(cut);
  }
  add(std::move(key_path), std::move(message), 0, 0);
}

std::vector<ConfigError> Errors::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    const auto rank = [](const ConfigError& e) {
      return std::make_pair(e.line == 0 ? std::numeric_limits<int>::max() : e.line, e.column);
    };
    return rank(a) < rank(b);
  });
  return std::move(errors_);
}

}  // namespace bokade::config::detail
