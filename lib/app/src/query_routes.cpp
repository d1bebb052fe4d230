// The query listener's endpoints: the citizen's view (JSON, ICS), the RIVTA SOAP endpoint, the legacy
// relations API and the engagement index's ProcessNotification.

#include <boost/asio/use_awaitable.hpp>

#include "app_impl.hpp"

namespace bokade::app {

net::Router App::Impl::query_router() {
  net::Router r;
  r.add("GET", "/healthz", "healthz", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, "ok\n");
  });
  r.add(
      "POST", std::string(ei::process_notification_path), "process_notification",
      [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return co_await notifications->handle(req); },
      std::max<std::size_t>(current_config()->listen.query.max_body, 16u << 20));
  return r;
}


}  // namespace bokade::app
