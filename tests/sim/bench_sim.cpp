// bench_sim: how many GetSubjectOfCareSchedule calls per second bokade-sim serves with zero latency.
// Not a test. It starts bokade-sim (--threads 1, pinned to CPU 0 when there are two CPUs), loads it
// from this process over raw keep-alive loopback connections (pinned to the other CPU), and prints calls/s
// and calls per CPU-second of the simulator process.
//
//   bench_sim [--seconds 10] [--connections 32] [--persons 1000000] [--target vp|producer] [--sim PATH]

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "bokade/net/http_client.hpp"
#include "bokade/rivta/schedule.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  const auto close = s.rfind(')');
  std::istringstream fields(s.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void pin(pid_t pid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(pid, sizeof set, &set);
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 10, connections = 32;
  std::string persons = "1000000", target = "vp";
  std::string sim = (std::filesystem::path(argv[0]).parent_path() / "bokade-sim").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--seconds") seconds = std::stoi(argv[i + 1]);
    else if (a == "--connections") connections = std::stoi(argv[i + 1]);
    else if (a == "--persons") persons = argv[i + 1];
    else if (a == "--target") target = argv[i + 1];
    else if (a == "--sim") sim = argv[i + 1];
    else {
      std::cerr << "usage: bench_sim [--seconds N] [--connections N] [--persons N] [--target vp|producer] [--sim PATH]\n";
      return 2;
    }
  }
  const bool two_cpus = std::thread::hardware_concurrency() >= 2;
  const std::string ready = (std::filesystem::temp_directory_path() / ("bench-sim-" + std::to_string(getpid()))).string();
  std::vector<std::string> args{sim, "--listen", "127.0.0.1:0", "--ready-file", ready, "--threads", "1",
                                "--persons", persons, "--log-level", "warn"};
  std::string command;
  for (const auto& a : args) command += a + " ";
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    execv(av[0], av.data());
    _exit(127);
  }
  if (two_cpus) {
    pin(pid, 0);
    pin(0, 1);
  }
  std::uint16_t port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    std::ifstream in(ready);
    if (in) {
      std::stringstream s;
      s << in.rdbuf();
      const std::string address(json::parse(s.str()).at("address").as_string());
      port = static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  if (port == 0) {
    std::cerr << "bokade-sim did not start\n";
    kill(pid, SIGKILL);
    return 1;
  }
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  asio::io_context ioc;
  bokade::net::ClientOptions client_options;
  client_options.max_idle_per_host = static_cast<std::size_t>(connections);
  auto client = *bokade::net::HttpClient::create(ioc.get_executor(), client_options);
  auto get = [&](std::string path) {
    bokade::net::ClientRequest r;
    r.method = "GET";
    r.url = base + path;
    auto res = asio::co_spawn(ioc, client->request(r), asio::use_future);
    ioc.run();
    ioc.restart();
    return json::parse(res.get()->body);
  };
  const auto world = get("/control/world");
  const auto people = get("/control/persons?limit=1000");
  std::vector<std::pair<std::string, std::string>> targets;  // (url, request body)
  std::vector<std::string> clinics, urls;
  for (const auto& c : world.at("clinics").as_array()) {
    if (c.at("tak").as_string() != "granted") continue;
    clinics.emplace_back(c.at("hsa_id").as_string());
    std::string url = base + "/vp/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21";
    if (target == "producer") {
      for (const auto& s : world.at("systems").as_array()) {
        if (s.at("id") == c.at("system")) url = std::string(s.at("url").as_string());
      }
    }
    urls.push_back(url);
  }
  std::mt19937 rng(1);
  const auto& plist = people.at("persons").as_array();
  for (int i = 0; i < 4000; ++i) {
    const std::size_t c = rng() % clinics.size();
    bokade::rivta::ScheduleRequest r;
    r.logical_address = r.healthcare_facility = clinics[c];
    r.subject_of_care = std::string(plist[rng() % plist.size()].at("id").as_string());
    targets.emplace_back(urls[c], *bokade::rivta::write_schedule_request(r));
  }

  // The load side must be cheaper than the server, or it measures itself: raw keep-alive HTTP/1.1 with
  // prepared request bytes and a minimal response reader (status line, Content-Length, body).
  std::vector<std::pair<std::uint16_t, std::string>> raw;  // (port, request bytes)
  for (const auto& [url, body] : targets) {
    const auto after_scheme = url.find("//") + 2;
    const auto slash = url.find('/', after_scheme);
    const auto port_text = url.substr(url.rfind(':', slash) + 1, slash - url.rfind(':', slash) - 1);
    raw.emplace_back(static_cast<std::uint16_t>(std::stoi(port_text)),
                     "POST " + url.substr(slash) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=UTF-8\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  std::atomic<std::uint64_t> ok{0}, failed{0};
  std::atomic<bool> stop{false};
  auto worker = [&](int w) -> asio::awaitable<void> {
    std::map<std::uint16_t, asio::ip::tcp::socket> sockets;
    std::string buffer;
    for (std::size_t i = static_cast<std::size_t>(w); !stop; i += static_cast<std::size_t>(connections)) {
      const auto& [target_port, request] = raw[i % raw.size()];
      auto it = sockets.find(target_port);
      if (it == sockets.end()) {
        asio::ip::tcp::socket s(ioc);
        co_await s.async_connect({asio::ip::make_address("127.0.0.1"), target_port}, asio::use_awaitable);
        s.set_option(asio::ip::tcp::no_delay(true));
        it = sockets.emplace(target_port, std::move(s)).first;
      }
      auto& s = it->second;
      co_await asio::async_write(s, asio::buffer(request), asio::use_awaitable);
      buffer.clear();
      std::size_t header_end = std::string::npos, need = 0;
      for (;;) {
        char chunk[16384];
        const auto n = co_await s.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buffer.append(chunk, n);
        if (header_end == std::string::npos && (header_end = buffer.find("\r\n\r\n")) != std::string::npos) {
          const auto cl = buffer.find("Content-Length: ");
          need = header_end + 4 + std::stoul(buffer.substr(cl + 16));
        }
        if (header_end != std::string::npos && buffer.size() >= need) break;
      }
      (buffer.starts_with("HTTP/1.1 200") ? ok : failed).fetch_add(1);
    }
  };
  // Warm up one second, then measure.
  for (int w = 0; w < connections; ++w) asio::co_spawn(ioc, worker(w), asio::detached);
  std::thread runner([&] { ioc.run(); });
  std::this_thread::sleep_for(1s);
  const std::uint64_t ok0 = ok, failed0 = failed;
  const double cpu0 = cpu_seconds(pid);
  const double load_cpu0 = cpu_seconds(getpid());
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds(pid) - cpu0;
  const double load_cpu = cpu_seconds(getpid()) - load_cpu0;
  const std::uint64_t calls = ok - ok0, errors = failed - failed0;
  stop = true;
  runner.join();
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::filesystem::remove(ready);

  std::printf("bench_sim: GetSubjectOfCareSchedule via %s, %d keep-alive connections, %s persons, zero latency\n",
              target.c_str(), connections, persons.c_str());
  std::printf("simulator: %s%s\n", command.c_str(), two_cpus ? "(pinned to CPU 0; load pinned to CPU 1)" : "");
  std::printf("calls: %llu ok, %llu failed in %.1f s\n", static_cast<unsigned long long>(calls),
              static_cast<unsigned long long>(errors), elapsed);
  std::printf("throughput: %.0f calls/s; simulator CPU %.2f s = %.0f%% of one core; %.0f calls per simulator CPU-second\n",
              static_cast<double>(calls) / elapsed, cpu, 100.0 * cpu / elapsed, cpu > 0 ? static_cast<double>(calls) / cpu : 0.0);
  std::printf("load generator CPU %.2f s = %.0f%% of one core (when neither is near 100%%, other processes hold the CPUs)\n",
              load_cpu, 100.0 * load_cpu / elapsed);
  return 0;
}
