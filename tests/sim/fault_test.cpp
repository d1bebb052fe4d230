// Each fault mode of a booking system happens as configured, on its own listener (socket level) and
// through VP (as the platform turns it into VP009 or relays it); error rates and latency likewise.

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "schema_set.hpp"
#include "sim_process.hpp"

using namespace bokade;
using namespace bokade::sim::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::string_view system_id = "SE2321000016-A2BF";

struct FaultFixture {
  SimProcess sim{{"--seed", "5", "--persons", "500", "--systems", "10", "--epoch", "2026-03-02", "--vp-timeout", "400ms",
                  "--drip-interval", "30ms", "--drip-chunk", "100", "--oversized-bytes", "3000000"}};
  Http http;
  std::string clinic;
  std::string person;
  std::string producer_url;

  FaultFixture() {
    const auto world = http.json("GET", sim.url("/control/world"));
    for (const auto& c : world.at("clinics").as_array()) {
      if (c.at("system").as_string() == system_id && c.at("tak").as_string() == "granted") {
        clinic = std::string(c.at("hsa_id").as_string());
        break;
      }
    }
    REQUIRE(!clinic.empty());
    for (const auto& s : world.at("systems").as_array()) {
      if (s.at("id").as_string() == system_id) producer_url = std::string(s.at("url").as_string());
    }
    // Someone with a booking there makes the answers non-trivial; anyone will do.
    const auto persons = http.json("GET", sim.url("/control/persons?limit=1"));
    person = std::string(persons.at("persons").as_array().at(0).at("id").as_string());
    http.json("POST", sim.url("/control/persons/" + person + "/bookings"),
              R"({"clinic":")" + clinic + R"(","start":"20260401100000","indexed":true})");
  }

  void set(std::string_view body) { http.json("PUT", sim.url("/control/systems/" + std::string(system_id)), std::string(body)); }
  net::ClientResult direct(std::chrono::milliseconds timeout = 3s) {
    return http.request("POST", producer_url, schedule_request(clinic, person), {}, timeout);
  }
  net::ClientResult via_vp(std::chrono::milliseconds timeout = 3s) {
    return http.request("POST", sim.url("/vp/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21"),
                        schedule_request(clinic, person), {}, timeout);
  }
};

rivta::Fault fault_of(const net::ClientResult& r) {
  REQUIRE(r.has_value());
  CHECK(r->status == 500);
  auto f = rivta::read_fault(r->body);
  REQUIRE(f.has_value());
  return *f;
}

}  // namespace

TEST_CASE("no fault: direct and VP answers agree and validate") {
  FaultFixture f;
  bokade::test::SchemaSet schemas;
  auto d = f.direct();
  auto v = f.via_vp();
  REQUIRE(d.has_value());
  REQUIRE(v.has_value());
  CHECK(d->status == 200);
  CHECK(d->body == v->body);
  const auto check = schemas.validate("schedule", d->body);
  CHECK_MESSAGE(check.valid, check.output);
  auto parsed = rivta::read_schedule_response(d->body);
  REQUIRE(parsed.has_value());
  CHECK(!parsed->appointments.empty());
}

TEST_CASE("timeout: the system never answers; VP gives VP009 with a timeout after its deadline") {
  FaultFixture f;
  f.set(R"({"mode":"timeout"})");
  auto d = f.direct(500ms);
  REQUIRE(!d.has_value());
  CHECK(d.error().outcome == Outcome::timeout);
  const auto started = std::chrono::steady_clock::now();
  const auto fault = fault_of(f.via_vp());
  CHECK(std::chrono::steady_clock::now() - started >= 390ms);
  CHECK(fault.classification.code == "VP009");
  CHECK(fault.classification.outcome == Outcome::timeout);
  CHECK(fault.classification.retryable);
}

TEST_CASE("refused: the system's listener is closed, and opens again on the same port") {
  FaultFixture f;
  f.set(R"({"mode":"refused"})");
  auto d = f.direct();
  REQUIRE(!d.has_value());
  CHECK(d.error().outcome == Outcome::connect_error);
  const auto fault = fault_of(f.via_vp());
  CHECK(fault.classification.code == "VP009");
  CHECK(fault.faultstring.find("Connection refused") != std::string::npos);
  CHECK(f.http.json("GET", f.sim.url("/control/calls/" + f.clinic)).at("producer").as_int64() == 0);
  f.set(R"({"mode":"none"})");
  d = f.direct();
  REQUIRE(d.has_value());
  CHECK(d->status == 200);
}

TEST_CASE("reset: half a body, then a TCP reset; VP gives VP009") {
  FaultFixture f;
  f.set(R"({"mode":"reset"})");
  auto d = f.direct();
  REQUIRE(!d.has_value());
  const auto fault = fault_of(f.via_vp());
  CHECK(fault.classification.code == "VP009");
  CHECK(fault.faultstring.find("Connection reset") != std::string::npos);

  // On the wire: a status line promising more than arrives.
  const auto port = static_cast<std::uint16_t>(std::stoi(f.producer_url.substr(f.producer_url.rfind(':') + 1)));
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string body = schedule_request(f.clinic, f.person);
  const std::string path = f.producer_url.substr(f.producer_url.find('/', 8));
  const std::string req = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(s, asio::buffer(req));
  std::string got;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    got.append(buf, n);
    if (ec) break;
  }
  CHECK(got.starts_with("HTTP/1.1 200"));
  const auto length = std::stoul(got.substr(got.find("Content-Length: ") + 16));
  CHECK(got.size() - (got.find("\r\n\r\n") + 4) < length);
}

TEST_CASE("http500: a SOAP fault from the producer, relayed by VP") {
  FaultFixture f;
  bokade::test::SchemaSet schemas;
  f.set(R"({"mode":"http500"})");
  for (auto r : {f.direct(), f.via_vp()}) {
    const auto fault = fault_of(r);
    CHECK(fault.classification.code.empty());
    CHECK(fault.faultstring.find("TakeCare") != std::string::npos);
    CHECK(schemas.validate("fault", r->body).valid);
  }
}

TEST_CASE("malformed: HTTP 200 with XML no parser accepts") {
  FaultFixture f;
  f.set(R"({"mode":"malformed"})");
  for (auto r : {f.direct(), f.via_vp()}) {
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    auto parsed = rivta::read_schedule_response(r->body);
    REQUIRE(!parsed.has_value());
    CHECK(parsed.error().outcome == Outcome::parse_error);
  }
}

TEST_CASE("drip: the right answer, slowly") {
  FaultFixture f;
  f.set(R"({"mode":"none"})");
  const auto normal = f.direct();
  REQUIRE(normal.has_value());
  f.set(R"({"mode":"drip"})");
  auto hurried = f.direct(200ms);
  REQUIRE(!hurried.has_value());
  CHECK(hurried.error().outcome == Outcome::timeout);
  const auto started = std::chrono::steady_clock::now();
  auto patient = f.direct(20s);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(patient.has_value());
  CHECK(patient->body == normal->body);
  // (head + body) / 100 bytes per 30 ms
  CHECK(took >= std::chrono::milliseconds(30 * static_cast<int>(normal->body.size() / 100 - 1)));
  // VP waits for the whole answer; this one takes longer than its 400 ms deadline.
  const auto fault = fault_of(f.via_vp());
  CHECK(fault.classification.outcome == Outcome::timeout);
}

TEST_CASE("oversized: a body beyond any sane limit") {
  FaultFixture f;
  f.set(R"({"mode":"oversized"})");
  auto r = f.direct();
  REQUIRE(r.has_value());
  CHECK(r->body.size() >= 3'000'000);
  rivta::ReaderLimits limits;
  limits.max_bytes = 1u << 20;
  CHECK(!rivta::read_schedule_response(r->body, limits).has_value());
  net::ClientOptions small;
  small.max_response_bytes = 1u << 20;
  Http strict(small);
  auto refused = strict.request("POST", f.producer_url, schedule_request(f.clinic, f.person));
  CHECK(!refused.has_value());
}

TEST_CASE("error rate and latency as configured") {
  FaultFixture f;
  f.set(R"({"mode":"none","error_rate":0.3})");
  int errors = 0;
  constexpr int calls = 300;
  for (int i = 0; i < calls; ++i) {
    auto r = f.via_vp();
    REQUIRE(r.has_value());
    errors += r->status == 500;
  }
  CHECK(errors > calls * 0.2);
  CHECK(errors < calls * 0.4);

  f.set(R"({"error_rate":0,"latency":"fixed:120ms"})");
  auto started = std::chrono::steady_clock::now();
  REQUIRE(f.direct().has_value());
  CHECK(std::chrono::steady_clock::now() - started >= 120ms);

  // lognormal, median 20 ms and p99 300 ms: the median of 41 calls lands near 20 ms
  f.set(R"({"latency":"lognormal:20ms:300ms"})");
  std::vector<double> ms;
  for (int i = 0; i < 41; ++i) {
    started = std::chrono::steady_clock::now();
    REQUIRE(f.direct().has_value());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  }
  std::sort(ms.begin(), ms.end());
  CHECK(ms[20] > 8.0);
  CHECK(ms[20] < 60.0);

  // A latency beyond VP's deadline is a VP009 timeout.
  f.set(R"({"latency":"fixed:1s"})");
  const auto fault = fault_of(f.via_vp());
  CHECK(fault.classification.outcome == Outcome::timeout);

  const auto systems = f.http.json("GET", f.sim.url("/control/systems"));
  for (const auto& s : systems.at("systems").as_array()) {
    if (s.at("id").as_string() == system_id) CHECK(s.at("latency").as_string() == "fixed:1000ms");
  }
}
