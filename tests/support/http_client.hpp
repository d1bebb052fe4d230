#pragma once
// Test support: a blocking HTTP/1.1 client for talking to a daemon on loopback.

#include <string>
#include <utility>
#include <vector>

namespace bokade::test {

struct HttpResult {
  int status = 0;  // 0 = no response (connection failed)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;
  [[nodiscard]] std::string header(const std::string& name) const;
};

// `address` is "host:port".
HttpResult http_request(const std::string& address, const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
inline HttpResult http_get(const std::string& address, const std::string& target) {
  return http_request(address, "GET", target);
}

}  // namespace bokade::test
