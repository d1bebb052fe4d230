#pragma once
// Plain HTTP request/response values handed between the server and route handlers, so that handlers
// need not include Beast.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bokade::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // as sent, e.g. "/v1/persons/x/appointments?wait=2s"
  std::string path;    // target without the query, percent-decoded
  std::string query;   // after '?', not decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;  // peer address
  // The consumer's HSA-id: the verified client certificate subject's serialNumber, as written there.
  // Empty on plain HTTP, without a client certificate, or when the subject has no serialNumber.
  std::string consumer;
  std::vector<std::string> params;  // values of the route's {name} segments, in order

  // Case-insensitive header lookup; the first value if repeated.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  // A query parameter's decoded value.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse text(unsigned status, std::string body);
  static HttpResponse json(unsigned status, std::string body);
  // An RFC 7807 problem document: {"type":"about:blank","title":…,"status":…,"detail":…}.
  static HttpResponse problem(unsigned status, std::string_view title, std::string_view detail);
};

std::string_view reason_phrase(unsigned status) noexcept;
// Decodes %XX and '+' (in queries); returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace bokade::net
