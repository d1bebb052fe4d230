#include "sim_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/schedule.hpp"

namespace bokade::sim::test {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string sim_exe() { return BOKADE_SIM_EXE; }

std::string temp_path(std::string_view name) {
  static std::random_device rd;
  return (fs::temp_directory_path() / ("bokade-sim-test-" + std::to_string(rd()) + "-" + std::string(name))).string();
}

SimProcess::SimProcess(std::vector<std::string> args) {
  ready_file_ = temp_path("ready.json");
  args.insert(args.begin(), {sim_exe(), "--listen", "127.0.0.1:0", "--ready-file", ready_file_, "--log-level", "warn"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("fork failed");
  for (int i = 0; i < 300; ++i) {
    std::ifstream in(ready_file_);
    if (in) {
      std::stringstream s;
      s << in.rdbuf();
      const auto v = boost::json::parse(s.str());
      const std::string address(v.at("address").as_string());
      port_ = static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("bokade-sim exited before it was ready");
    }
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("bokade-sim was not ready within 6 s");
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 250 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(20ms);
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  std::error_code ec;
  fs::remove(ready_file_, ec);
}

std::string SimProcess::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

Http::Http(net::ClientOptions options) : work_(ioc_.get_executor()) {
  auto c = net::HttpClient::create(ioc_.get_executor(), options);
  if (!c) throw std::runtime_error(c.error().message);
  client_ = *c;
  thread_ = std::thread([this] { ioc_.run(); });
}

Http::~Http() {
  client_->close_idle();
  work_.reset();
  ioc_.stop();
  thread_.join();
}

net::ClientResult Http::request(std::string method, std::string url, std::string body,
                                std::vector<std::pair<std::string, std::string>> headers,
                                std::chrono::milliseconds timeout) {
  net::ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.timeout = timeout;
  if (r.method == "POST" && r.headers.empty()) r.headers.emplace_back("Content-Type", "text/xml; charset=UTF-8");
  return asio::co_spawn(ioc_, client_->request(std::move(r)), asio::use_future).get();
}

boost::json::value Http::json(std::string method, std::string url, std::string body) {
  auto r = request(method, url, std::move(body), {{"Content-Type", "application/json"}});
  REQUIRE_MESSAGE(r.has_value(), method << " " << url << ": " << (r ? "" : r.error().message));
  REQUIRE_MESSAGE((r->status >= 200 && r->status < 300), method << " " << url << " → " << r->status << " " << r->body);
  return boost::json::parse(r->body);
}

std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string schedule_request(std::string_view logical_address, std::string_view person) {
  rivta::ScheduleRequest r;
  r.logical_address = logical_address;
  r.healthcare_facility = logical_address;
  r.subject_of_care = person;
  auto xml = rivta::write_schedule_request(r);
  REQUIRE_MESSAGE(xml.has_value(), (xml ? "" : xml.error().message));
  return *xml;
}

std::string find_content_request(std::string_view logical_address, std::string_view person) {
  rivta::FindContentRequest r;
  r.logical_address = logical_address;
  r.registered_resident_identification = person;
  r.service_domain = "riv:crm:scheduling";
  auto xml = rivta::write_find_content_request(r);
  REQUIRE_MESSAGE(xml.has_value(), (xml ? "" : xml.error().message));
  return *xml;
}

}  // namespace bokade::sim::test
