#include "reader.hpp"

#include <algorithm>

#include "bokade/config/units.hpp"

namespace bokade::config::detail {
namespace {

// Levenshtein distance, for "did you mean" on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string path, Errors& errors)
    : table_(&table), path_(std::move(path)), errors_(&errors) {}

const toml::node* TableReader::find(std::string_view key) {
  known_.emplace(key);
  const toml::node* node = table_->get(key);
  if (node != nullptr) {
    const auto [line, column] = position(*node);
    errors_->note(path_of(key), line, column);
  }
  return node;
}

void TableReader::error(std::string_view key, const toml::node& at, std::string message) {
  const auto [line, column] = position(at);
  errors_->add(path_of(key), std::move(message), line, column);
}

void TableReader::type_error(std::string_view key, const toml::node& at, std::string_view expected) {
  error(key, at, fmt::format("must be {} (got {})", expected, type_name(at)));
}

bool TableReader::read(std::string_view key, std::string& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  const auto* value = node->as_string();
  if (value == nullptr) {
    type_error(key, *node, "a string");
    return false;
  }
  out = value->get();
  return true;
}

bool TableReader::read(std::string_view key, bool& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  const auto* value = node->as_boolean();
  if (value == nullptr) {
    type_error(key, *node, "a boolean (true or false)");
    return false;
  }
  out = value->get();
  return true;
}

bool TableReader::read(std::string_view key, double& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  if (const auto* f = node->as_floating_point()) {
    out = f->get();
    return true;
  }
  if (const auto* i = node->as_integer()) {  // "rate_per_second = 5" is a fine way to write 5.0
    out = static_cast<double>(i->get());
    return true;
  }
  type_error(key, *node, "a number");
  return false;
}

bool TableReader::read(std::string_view key, std::vector<std::string>& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  const auto* array = node->as_array();
  if (array == nullptr) {
    type_error(key, *node, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    if (const auto* s = item.as_string()) {
      values.push_back(s->get());
    } else {
      const auto [line, column] = position(item);
      errors_->add(index_key(path_of(key), i), fmt::format("must be a string (got {})", type_name(item)), line, column);
      ok = false;
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

bool TableReader::read_duration(std::string_view key, std::chrono::milliseconds& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  const auto* value = node->as_string();
  if (value == nullptr) {
    error(key, *node,
          fmt::format(
              "must be a duration string with a unit such as \"250ms\", \"5s\", \"10m\", \"6h\", \"30d\" (got {})",
              type_name(*node)));
    return false;
  }
  auto parsed = parse_duration(value->get());
  if (!parsed) {
    error(key, *node, fmt::format("bad duration: {}", parsed.error().message));
    return false;
  }
  out = *parsed;
  return true;
}

bool TableReader::read_size(std::string_view key, std::uint64_t& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return false;
  if (const auto* i = node->as_integer()) {
    if (i->get() < 0) {
      error(key, *node, fmt::format("must not be negative (got {})", i->get()));
      return false;
    }
    out = static_cast<std::uint64_t>(i->get());
    return true;
  }
  const auto* value = node->as_string();
  if (value == nullptr) {
    error(key, *node, fmt::format("must be a size such as \"64MiB\" or a number of bytes (got {})", type_name(*node)));
    return false;
  }
  auto parsed = parse_size(value->get());
  if (!parsed) {
    error(key, *node, fmt::format("bad size: {}", parsed.error().message));
    return false;
  }
  out = *parsed;
  return true;
}

std::optional<TableReader> TableReader::sub_table(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  const auto* table = node->as_table();
  if (table == nullptr) {
    type_error(key, *node, "a table");
    return std::nullopt;
  }
  return TableReader(*table, path_of(key), *errors_);
}

std::optional<std::vector<TableReader>> TableReader::table_array(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
    type_error(key, *node, fmt::format("an array of tables, written [[{}]]", path_of(key)));
    return std::nullopt;
  }
  std::vector<TableReader> readers;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string element_path = index_key(path_of(key), i);
    const auto [line, column] = position(*array->get(i));
    errors_->note(element_path, line, column);
    readers.emplace_back(*array->get(i)->as_table(), element_path, *errors_);
  }
  return readers;
}

void TableReader::finish() {
  for (const auto& [key, node] : *table_) {
    const std::string_view name = key.str();
    if (known_.count(name) != 0) continue;
    std::string best;
    std::size_t best_distance = 3;  // suggest only close matches
    for (const auto& candidate : known_) {
      const auto d = edit_distance(name, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    std::string message = "unknown key";
    if (!best.empty()) message += fmt::format(" (did you mean \"{}\"?)", best);
    const auto [line, column] = position(node);
    // The key's own position is where it is written; the node's is its value — both on the same line.
    errors_->add(path_of(name), std::move(message), line, column);
  }
}

}  // namespace bokade::config::detail
