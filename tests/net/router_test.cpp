#include <doctest/doctest.h>

#include "bokade/net/router.hpp"

using namespace bokade::net;
namespace asio = boost::asio;

namespace {
Handler ok() {
  return [](const HttpRequest&) -> asio::awaitable<HttpResponse> { co_return HttpResponse::text(200, "ok"); };
}
}  // namespace

TEST_CASE("routes match exact paths, {params} and prefixes; others are 404 or 405") {
  Router r;
  r.add("GET", "/healthz", "healthz", ok());
  r.add("GET", "/v1/persons/{id}/appointments", "appointments", ok());
  r.add("PUT", "/v1/persons/{id}/relations", "relations_put", ok());
  r.add("GET", "/v1/persons/{id}/relations", "relations_get", ok());
  r.add("GET", "/static/*", "static", ok());

  auto m = r.match("GET", "/v1/persons/191212121212/appointments");
  REQUIRE(m.handler);
  CHECK(m.name == "appointments");
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0] == "191212121212");

  CHECK(r.match("GET", "/healthz").name == "healthz");
  CHECK(r.match("GET", "/healthz/").name == "healthz");
  CHECK(r.match("GET", "/static/a/b.css").name == "static");
  CHECK(r.match("GET", "/v1/persons/x/relations").name == "relations_get");
  CHECK(r.match("PUT", "/v1/persons/x/relations").name == "relations_put");

  auto missing = r.match("GET", "/v1/persons/x/nothing");
  CHECK_FALSE(missing.handler);
  CHECK(missing.status == 404);
  CHECK(missing.name == "unmatched");

  auto wrong = r.match("DELETE", "/v1/persons/x/relations");
  CHECK_FALSE(wrong.handler);
  CHECK(wrong.status == 405);
  CHECK(wrong.allow == "PUT, GET");

  const auto names = r.names();
  CHECK(names.size() == 6);
  CHECK(names.back() == "unmatched");
}

TEST_CASE("percent decoding and query parameters") {
  CHECK(percent_decode("a%20b", false) == "a b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK_FALSE(percent_decode("%2", false));
  CHECK_FALSE(percent_decode("%zz", false));
  HttpRequest req;
  req.query = "wait=2s&maxAge=&flag&name=G%C3%B6ran+X";
  CHECK(req.query_param("wait") == "2s");
  CHECK(req.query_param("maxAge") == "");
  CHECK(req.query_param("flag") == "");
  CHECK(req.query_param("name") == "G\xC3\xB6ran X");
  CHECK_FALSE(req.query_param("missing"));
  req.headers = {{"Content-Type", "text/xml"}};
  CHECK(req.header("content-type") == "text/xml");
  CHECK_FALSE(req.header("accept"));
}

TEST_CASE("problem documents") {
  auto p = HttpResponse::problem(400, "Bad Request", "personnummer \"x\" has a bad checksum");
  CHECK(p.status == 400);
  CHECK(p.content_type == "application/problem+json");
  CHECK(p.body ==
        R"({"type":"about:blank","title":"Bad Request","status":400,"detail":"personnummer \"x\" has a bad checksum"})");
}
