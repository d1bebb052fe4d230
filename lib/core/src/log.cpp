#include "bokade/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <mutex>

namespace bokade::log {
namespace {

spdlog::level::level_enum to_spd(Level l) {
  switch (l) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::critical: return spdlog::level::critical;
    case Level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance;
  return instance;
}

std::once_flag init_once;

void ensure() {
  std::call_once(init_once, [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto l = std::make_shared<spdlog::logger>("bokade", sink);
    // The payload (%v) is the rest of the JSON object, already escaped.
    l->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::trace);
    logger() = std::move(l);
  });
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
}

void setup(Level level) {
  ensure();
  set_level(level);
}

void set_level(Level level) {
  ensure();
  logger()->set_level(to_spd(level));
}

bool parse_level(std::string_view text, Level& out) {
  static constexpr std::pair<std::string_view, Level> names[] = {
      {"trace", Level::trace}, {"debug", Level::debug}, {"info", Level::info},         {"warn", Level::warn},
      {"error", Level::error}, {"critical", Level::critical}, {"off", Level::off}};
  for (const auto& [name, level] : names) {
    if (name == text) {
      out = level;
      return true;
    }
  }
  return false;
}

void write(Level level, std::string_view msg, Fields fields) {
  ensure();
  const auto spd = to_spd(level);
  if (!logger()->should_log(spd)) return;
  std::string payload;
  payload.reserve(64 + msg.size());
  payload += "\"msg\":\"";
  append_json_escaped(payload, msg);
  payload += '"';
  for (const auto& f : fields) {
    payload += ",\"";
    append_json_escaped(payload, f.key);
    payload += "\":";
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            payload += '"';
            append_json_escaped(payload, v);
            payload += '"';
          } else if constexpr (std::is_same_v<V, bool>) {
            payload += v ? "true" : "false";
          } else {
            payload += fmt::format("{}", v);
          }
        },
        f.value);
  }
  logger()->log(spd, "{}", payload);
}

}  // namespace bokade::log
