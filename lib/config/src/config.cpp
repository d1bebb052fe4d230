// parse_config(), load_config() and the error formatting.
#include "bokade/config/config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "reader.hpp"
#include "sections.hpp"

namespace bokade::config {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string to_string(const ConfigError& e) {
  std::string out = e.source;
  if (e.line > 0) out += fmt::format(":{}:{}", e.line, e.column);
  if (!out.empty()) out += ": ";
  if (!e.key_path.empty()) out += e.key_path + ": ";
  out += e.message;
  return out;
}

std::string to_string(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += to_string(e);
    out += '\n';
  }
  return out;
}

ConfigResult parse_config(std::string_view toml_text, std::string_view source_name) {
  detail::Errors errors{std::string(source_name)};
  toml::table root;
  // The Debian toml++ 3.3.0 library is built with exceptions (toml::ex::parse): convert them to values here.
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    errors.add("", fmt::format("TOML syntax error: {}", e.description()), static_cast<int>(begin.line),
               static_cast<int>(begin.column));
    return Unexpected<std::vector<ConfigError>>{errors.take()};
  }

  Config config;
  detail::TableReader reader(root, "", errors);
  detail::read_service_sections(reader, config);
  detail::read_domain_sections(reader, config);
  reader.finish();
  detail::validate_into(config, errors);
  if (!errors.empty()) return Unexpected<std::vector<ConfigError>>{errors.take()};
  return config;
}

ConfigResult load_config(const std::filesystem::path& path) {
  constexpr std::uintmax_t max_file_size = 4 * MiB;  // a config file is a few KiB; refuse to slurp a wrong file
  const std::string name = path.string();
  const auto failure = [&](std::string message) {
    return Unexpected<std::vector<ConfigError>>{{ConfigError{"", std::move(message), name, 0, 0}}};
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return failure("cannot read the config file: no such file");
  if (std::filesystem::is_directory(status)) return failure("cannot read the config file: it is a directory");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_file_size) {
    return failure(fmt::format("cannot read the config file: {} bytes is too large for a config file (at most {})",
                               size, format_size(max_file_size)));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return failure(fmt::format("cannot read the config file: {}", std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return failure(fmt::format("cannot read the config file: {}", std::strerror(errno)));
  return parse_config(text.str(), name);
}

std::vector<ConfigError> validate(const Config& config) {
  detail::Errors errors{""};
  detail::validate_into(config, errors);
  return errors.take();
}

}  // namespace bokade::config
