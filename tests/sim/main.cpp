// bokade-sim: parses the command line, builds the simulator, runs it until SIGINT/SIGTERM.

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "bokade/core/log.hpp"
#include "simulator.hpp"

int main(int argc, char** argv) {
  using namespace bokade;
  namespace asio = boost::asio;
  try {
    auto parsed = sim::parse_options(argc, argv);
    if (!parsed) {
      std::cerr << "bokade-sim: " << parsed.error().message << "\n(see bokade-sim --help)\n";
      return 2;
    }
    if (parsed->help) {
      std::cout << parsed->help_text;
      return 0;
    }
    sim::SimOptions options = parsed->options;
    log::Level level{};
    if (!log::parse_level(options.log_level, level)) {
      std::cerr << "bokade-sim: unknown --log-level " << options.log_level << "\n";
      return 2;
    }
    log::setup(level);

    asio::io_context ioc(static_cast<int>(options.threads));
    auto work = asio::make_work_guard(ioc);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < options.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    auto shutdown_threads = [&] {
      work.reset();
      ioc.stop();
      for (auto& t : threads) t.join();
    };

    const std::string ready_file = options.ready_file;
    auto simulator = sim::Simulator::create(ioc, std::move(options));
    if (!simulator) {
      shutdown_threads();
      std::cerr << "bokade-sim: " << simulator.error().message << "\n";
      return 2;
    }
    auto& s = **simulator;
    if (auto started = s.start(); !started) {
      s.stop();
      shutdown_threads();
      std::cerr << "bokade-sim: " << started.error().message << "\n";
      return 1;
    }
    if (!ready_file.empty()) {
      // Written to a temporary name and renamed, so a reader never sees half a file.
      const std::string tmp = ready_file + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << R"({"address":")" << s.options.listen_address << ':' << s.port() << R"(","pid":)" << ::getpid() << "}\n";
      }
      if (std::rename(tmp.c_str(), ready_file.c_str()) != 0) {
        std::cerr << "bokade-sim: cannot write --ready-file " << ready_file << "\n";
      }
    }

    asio::io_context signal_ioc;
    asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&](const boost::system::error_code&, int signo) { received = signo; });
    signal_ioc.run();
    log::info("bokade-sim stopping", {{"signal", received}});
    s.stop();
    shutdown_threads();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bokade-sim: " << e.what() << "\n";
    return 1;
  }
}
