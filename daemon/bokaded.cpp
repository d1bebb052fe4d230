// bokaded: parses arguments, loads the configuration, builds the App and runs it. Nothing else.

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "bokade/app/app.hpp"
#include "bokade/config/config.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;  // bad arguments or a bad configuration

void usage(std::ostream& out) {
  out << "usage: bokaded [--config FILE] [--ready-file FILE] [--threads N]\n"
         "       bokaded --check-config FILE\n"
         "       bokaded --print-default-config\n"
         "       bokaded --version | --help\n"
         "\n"
         "  --config FILE          configuration (TOML); without it the built-in default (config/bokaded.toml) is used\n"
         "  --check-config FILE    validate FILE, print every error with its key, exit 0 if valid, 2 if not\n"
         "  --print-default-config print the built-in default configuration\n"
         "  --ready-file FILE      once listening, write the bound addresses to FILE as JSON\n"
         "  --threads N            I/O threads (default 2)\n"
         "\n"
         "Signals: SIGHUP reloads the configuration file (a bad file keeps the running one);\n"
         "SIGTERM or SIGINT drains requests in flight, closes the database and exits 0.\n";
}

int check_config(const std::string& path) {
  auto loaded = bokade::config::load_config(path);
  if (!loaded) {
    std::cerr << bokade::config::to_string(loaded.error());
    std::cerr << path << ": invalid (" << loaded.error().size() << " error" << (loaded.error().size() == 1 ? "" : "s")
              << ")\n";
    return exit_usage;
  }
  std::cout << path << ": ok\n" << bokade::config::describe(*loaded);
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::optional<std::string> config_path;
    bokade::app::AppOptions options;
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      auto value = [&](std::string_view name) -> std::optional<std::string> {
        if (i + 1 >= argc) {
          std::cerr << "bokaded: " << name << " needs a value\n";
          return std::nullopt;
        }
        return std::string(argv[++i]);
      };
      if (arg == "--help" || arg == "-h") {
        usage(std::cout);
        return exit_ok;
      } else if (arg == "--version") {
        std::cout << "bokaded " << bokade::app::version() << '\n';
        return exit_ok;
      } else if (arg == "--print-default-config") {
        std::cout << bokade::config::default_config_toml();
        return exit_ok;
      } else if (arg == "--check-config") {
        auto v = value(arg);
        if (!v) return exit_usage;
        return check_config(*v);
      } else if (arg == "--config") {
        config_path = value(arg);
        if (!config_path) return exit_usage;
      } else if (arg == "--ready-file") {
        auto v = value(arg);
        if (!v) return exit_usage;
        options.ready_file = *v;
      } else if (arg == "--threads") {
        auto v = value(arg);
        if (!v) return exit_usage;
        try {
          const int n = std::stoi(*v);
          if (n < 1 || n > 256) throw std::out_of_range("threads");
          options.threads = static_cast<unsigned>(n);
        } catch (const std::exception&) {
          std::cerr << "bokaded: --threads must be a whole number from 1 to 256\n";
          return exit_usage;
        }
      } else {
        std::cerr << "bokaded: unknown argument '" << arg << "'\n";
        usage(std::cerr);
        return exit_usage;
      }
    }

    auto loaded = config_path ? bokade::config::load_config(*config_path)
                              : bokade::config::parse_config(bokade::config::default_config_toml(), "(default config)");
    if (!loaded) {
      std::cerr << bokade::config::to_string(loaded.error());
      std::cerr << "bokaded: the configuration is invalid; not starting\n";
      return exit_usage;
    }
    if (config_path) options.config_path = *config_path;
    bokade::app::App app(std::move(*loaded), std::move(options));
    return app.run();
  } catch (const std::exception& e) {
    std::cerr << "bokaded: " << e.what() << '\n';
    return exit_runtime;
  }
}
