// bokadectl: the operator's command line for bokade.

#include <iostream>
#include <string>
#include <string_view>

#include "bokade/app/app.hpp"
#include "bokade/config/config.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: bokadectl <command> [arguments]\n"
         "\n"
         "commands:\n"
         "  check-config FILE      validate a configuration file; exit 0 if valid, 2 if not\n"
         "  default-config         print the built-in default configuration\n"
         "  version                print the version\n"
         "  help                   this text\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      usage(std::cerr);
      return 2;
    }
    const std::string_view cmd = argv[1];
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      usage(std::cout);
      return 0;
    }
    if (cmd == "version" || cmd == "--version") {
      std::cout << "bokadectl " << bokade::app::version() << '\n';
      return 0;
    }
    if (cmd == "default-config") {
      std::cout << bokade::config::default_config_toml();
      return 0;
    }
    if (cmd == "check-config") {
      if (argc != 3) {
        std::cerr << "usage: bokadectl check-config FILE\n";
        return 2;
      }
      auto loaded = bokade::config::load_config(argv[2]);
      if (!loaded) {
        std::cerr << bokade::config::to_string(loaded.error());
        std::cerr << argv[2] << ": invalid\n";
        return 2;
      }
      std::cout << argv[2] << ": ok\n" << bokade::config::describe(*loaded);
      return 0;
    }
    std::cerr << "bokadectl: unknown command '" << cmd << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bokadectl: " << e.what() << '\n';
    return 1;
  }
}
