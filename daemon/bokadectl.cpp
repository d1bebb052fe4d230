// bokadectl: the operator's command line for bokade. Commands that look into a running daemon talk to
// its admin listener (--admin HOST:PORT, or $BOKADE_ADMIN, default 127.0.0.1:8081).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bokade/app/app.hpp"
#include "bokade/config/config.hpp"
#include "bokade/net/http_client.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: bokadectl [--admin HOST:PORT] <command> [arguments]\n"
         "\n"
         "commands:\n"
         "  check-config FILE        validate a configuration file; exit 0 if valid, 2 if not\n"
         "  default-config           print the built-in default configuration\n"
         "  person ID                what the daemon holds for a person: engagements and slices (masked)\n"
         "  refresh ID               ask every clinic of a person again, now\n"
         "  sources                  booking systems: limits, breaker states, refresh queue; TAK snapshot\n"
         "  coverage [--limit N]     coverage of the legacy path by the engagement-index path, with the N\n"
         "                           clinics where the index lacks most (default 20)\n"
         "  import-relations FILE    load legacy clinic relations (CSV personnummer,logicalAddress or JSON\n"
         "                           lines); each person is then refreshed\n"
         "  version                  print the version\n"
         "  help                     this text\n"
         "\n"
         "The admin listener is --admin HOST:PORT, else $BOKADE_ADMIN, else 127.0.0.1:8081.\n";
}

// One request to the admin listener; prints the body; exit status 0 for 2xx, 1 otherwise.
int admin_call(const std::string& admin, const std::string& method, const std::string& path, std::string body = {},
               std::chrono::seconds timeout = std::chrono::seconds(30)) {
  boost::asio::io_context ioc;
  auto client = bokade::net::HttpClient::create(ioc.get_executor(), {});
  if (!client) {
    std::cerr << "bokadectl: " << client.error().message << '\n';
    return 1;
  }
  bokade::net::ClientRequest req;
  req.method = method;
  req.url = "http://" + admin + path;
  req.body = std::move(body);
  req.timeout = timeout;
  if (!req.body.empty()) req.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  auto future = boost::asio::co_spawn(ioc, (*client)->request(std::move(req)), boost::asio::use_future);
  ioc.run();
  auto result = future.get();
  if (!result) {
    std::cerr << "bokadectl: cannot reach bokaded's admin listener at " << admin << ": " << result.error().message
              << '\n';
    return 1;
  }
  std::cout << result->body;
  if (!result->body.empty() && result->body.back() != '\n') std::cout << '\n';
  return result->status >= 200 && result->status < 300 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string admin = std::getenv("BOKADE_ADMIN") ? std::getenv("BOKADE_ADMIN") : "127.0.0.1:8081";
    if (args.size() >= 2 && args[0] == "--admin") {
      admin = args[1];
      args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty()) {
      usage(std::cerr);
      return 2;
    }
    const std::string cmd = args[0];
    auto need = [&](std::size_t n, const char* form) {
      if (args.size() != n) {
        std::cerr << "usage: bokadectl " << form << '\n';
        return false;
      }
      return true;
    };
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
      if (!need(2, "check-config FILE")) return 2;
      auto loaded = bokade::config::load_config(args[1]);
      if (!loaded) {
        std::cerr << bokade::config::to_string(loaded.error());
        std::cerr << args[1] << ": invalid\n";
        return 2;
      }
      std::cout << args[1] << ": ok\n" << bokade::config::describe(*loaded);
      return 0;
    }
    if (cmd == "person") {
      if (!need(2, "person ID")) return 2;
      return admin_call(admin, "GET", "/admin/persons/" + args[1]);
    }
    if (cmd == "refresh") {
      if (!need(2, "refresh ID")) return 2;
      return admin_call(admin, "POST", "/admin/persons/" + args[1] + "/refresh");
    }
    if (cmd == "sources") {
      if (!need(1, "sources")) return 2;
      return admin_call(admin, "GET", "/admin/sources");
    }
    if (cmd == "coverage") {
      std::string limit = "20";
      if (args.size() == 3 && args[1] == "--limit") {
        limit = args[2];
      } else if (!need(1, "coverage [--limit N]")) {
        return 2;
      }
      return admin_call(admin, "GET", "/admin/coverage?limit=" + limit, {}, std::chrono::seconds(600));
    }
    if (cmd == "import-relations") {
      if (!need(2, "import-relations FILE")) return 2;
      std::ifstream in(args[1], std::ios::binary);
      if (!in) {
        std::cerr << "bokadectl: cannot read " << args[1] << '\n';
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      return admin_call(admin, "POST", "/admin/relations", ss.str(), std::chrono::seconds(600));
    }
    std::cerr << "bokadectl: unknown command '" << cmd << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bokadectl: " << e.what() << '\n';
    return 1;
  }
}
