#pragma once
// Internal: reads one TOML table into typed fields, recording type errors with their key path and position,
// and reporting every key of the table that nobody asked for as unknown (catches typos).
//
// Each read_* leaves `out` untouched when the key is absent or wrong, so the default stays; it returns
// true only when the key was present and well-formed. Ranges and cross-key rules are checked in validate.cpp.

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "errors.hpp"

namespace bokade::config::detail {

std::string_view type_name(const toml::node& node);

class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, Errors& errors);

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string path_of(std::string_view key) const { return join_key(path_, key); }
  [[nodiscard]] const toml::table& table() const noexcept { return *table_; }

  // The node under `key` (nullptr if absent); marks the key as known.
  const toml::node* find(std::string_view key);

  bool read(std::string_view key, std::string& out);
  bool read(std::string_view key, bool& out);
  bool read(std::string_view key, double& out);
  bool read(std::string_view key, std::vector<std::string>& out);
  bool read_duration(std::string_view key, std::chrono::milliseconds& out);
  bool read_size(std::string_view key, std::uint64_t& out);

  template <class Int>
  bool read_int(std::string_view key, Int& out) {
    const toml::node* node = find(key);
    if (node == nullptr) return false;
    const auto* value = node->as_integer();
    if (value == nullptr) {
      type_error(key, *node, "an integer");
      return false;
    }
    const std::int64_t v = value->get();
    constexpr auto lo = static_cast<std::int64_t>(std::numeric_limits<Int>::min());
    constexpr auto hi = static_cast<std::uint64_t>(std::numeric_limits<Int>::max());
    if (v < lo || (v > 0 && static_cast<std::uint64_t>(v) > hi)) {
      error(key, *node, fmt::format("must be between {} and {} (got {})", lo, hi, v));
      return false;
    }
    out = static_cast<Int>(v);
    return true;
  }

  // A sub-table; a type error (and nullopt) when the key holds something else.
  std::optional<TableReader> sub_table(std::string_view key);
  // One reader per element of an array of tables ([[name]]), paths "name[i]"; nullopt when absent or
  // when the key holds something else (a type error).
  std::optional<std::vector<TableReader>> table_array(std::string_view key);

  // Reports every key of this table that no find()/read*() asked for.
  void finish();

  void error(std::string_view key, const toml::node& at, std::string message);
  void type_error(std::string_view key, const toml::node& at, std::string_view expected);

 private:
  const toml::table* table_;
  std::string path_;
  Errors* errors_;
  std::set<std::string, std::less<>> known_;
};

// Position of a node as (line, column), 0 when unknown.
inline std::pair<int, int> position(const toml::node& node) {
  const auto& begin = node.source().begin;
  return {static_cast<int>(begin.line), static_cast<int>(begin.column)};
}

}  // namespace bokade::config::detail
