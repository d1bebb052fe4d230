#pragma once
// Internal: collects ConfigErrors with their file positions, and spells key paths.
// Free of toml++ so that validation does not pull it in.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bokade/config/config_error.hpp"

namespace bokade::config::detail {

// "parent.key", quoting a key that is not a bare TOML key: rules.region."Region Skåne".
std::string join_key(std::string_view parent, std::string_view key);
// "parent[index]".
std::string index_key(std::string_view parent, std::size_t index);

class Errors {
 public:
  explicit Errors(std::string source) : source_(std::move(source)) {}

  // Remembers where a key was written, so that later (validation) errors can point at it.
  void note(const std::string& key_path, int line, int column) { where_[key_path] = {line, column}; }

  void add(std::string key_path, std::string message, int line, int column) {
    errors_.push_back({std::move(key_path), std::move(message), source_, line, column});
  }
  // At the position noted for key_path, or for its nearest noted parent.
  void add(std::string key_path, std::string message);

  [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
  // Sorted by position; errors without a position last, in the order found.
  std::vector<ConfigError> take();

 private:
  std::string source_;
  std::vector<ConfigError> errors_;
  std::map<std::string, std::pair<int, int>, std::less<>> where_;
};

}  // namespace bokade::config::detail
