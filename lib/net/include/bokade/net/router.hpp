#pragma once
// Router: maps (method, path) to a named route and its handler. Route names are bounded metric labels.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bokade/net/http_types.hpp"

namespace bokade::net {

using Handler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;

class Router {
 public:
  // `pattern` is an exact path, or ends in "/*" to match a prefix. Segments written "{name}" match any
  // single non-empty segment (e.g. "/v1/persons/{id}/appointments").
  // `max_body` > 0 overrides the listener's body cap for this route (e.g. large SOAP batches).
  void add(std::string method, std::string pattern, std::string name, Handler handler, std::size_t max_body = 0);

  struct Match {
    const Handler* handler = nullptr;  // null when nothing matched
    std::string_view name;             // route name, or "unmatched"
    unsigned status = 200;             // 404 (no path) or 405 (path, other method) when handler is null
    std::string allow;                 // for 405: the methods the path accepts
    std::vector<std::string> params;   // values of {name} segments, in order
    std::size_t max_body = 0;          // the route's own body cap, 0 = the listener's
  };
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;

  // Every route name plus "unmatched", for metrics.
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    bool prefix = false;
    std::string name;
    Handler handler;
    std::size_t max_body = 0;
  };
  std::vector<Route> routes_;
};

}  // namespace bokade::net
