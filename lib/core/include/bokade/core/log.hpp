#pragma once
// Structured logging: one JSON object per line on stderr (spdlog underneath).
//
//   log::info("refresh done", {{"person", id.masked()}, {"sources", 4}});
//
// Never pass a personnummer: use PersonId::masked() or keyed_hash().

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace bokade::log {

enum class Level { trace, debug, info, warn, error, critical, off };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  std::variant<std::string, std::int64_t, double, bool> value;
};

using Fields = std::initializer_list<Field>;

// Sets up the JSON-lines logger on stderr. Safe to call again (e.g. on reload) to change the level.
void setup(Level level);
void set_level(Level level);
// "trace", "debug", "info", "warn", "error", "critical", "off"
bool parse_level(std::string_view text, Level& out);

void write(Level level, std::string_view msg, Fields fields = {});
inline void trace(std::string_view msg, Fields f = {}) { write(Level::trace, msg, f); }
inline void debug(std::string_view msg, Fields f = {}) { write(Level::debug, msg, f); }
inline void info(std::string_view msg, Fields f = {}) { write(Level::info, msg, f); }
inline void warn(std::string_view msg, Fields f = {}) { write(Level::warn, msg, f); }
inline void error(std::string_view msg, Fields f = {}) { write(Level::error, msg, f); }

// JSON string escaping (quotes not included), shared with code that writes JSON by hand.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace bokade::log
