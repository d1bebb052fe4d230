#pragma once
// Test helpers: bokade-sim started as a separate process on a free loopback port, and an HTTP client
// on its own event loop thread.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "bokade/net/http_client.hpp"

namespace bokade::sim::test {

class SimProcess {
 public:
  // Starts bokade-sim with `args` plus --listen 127.0.0.1:0 and a ready file; waits until it listens.
  explicit SimProcess(std::vector<std::string> args);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  [[nodiscard]] std::string url(std::string_view path) const;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string ready_file_;
};

class Http {
 public:
  explicit Http(net::ClientOptions options = {});
  ~Http();
  net::ClientResult request(std::string method, std::string url, std::string body = {},
                            std::vector<std::pair<std::string, std::string>> headers = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // GET/POST/PUT/DELETE with a JSON answer; fails the test on a transport error or non-2xx.
  boost::json::value json(std::string method, std::string url, std::string body = {});

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<net::HttpClient> client_;
  std::thread thread_;
};

// The output of a command (stdout), and its exit status.
std::pair<std::string, int> run_command(const std::string& command);
std::string sim_exe();
std::string temp_path(std::string_view name);

// A GetSubjectOfCareSchedule request envelope to `logical_address` for `person`.
std::string schedule_request(std::string_view logical_address, std::string_view person);
std::string find_content_request(std::string_view logical_address, std::string_view person);

}  // namespace bokade::sim::test
