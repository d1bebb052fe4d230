// The indexing pipeline as a user meets it: bokade-sim plays the national platform (EI push, VP, TAK,
// booking systems) and bokaded follows it; both are real processes on loopback. What the daemon stored
// is read from its admin listener; what reached each booking system from the simulator's counters.

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "platform.hpp"

using namespace bokade::test;

namespace {
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
}  // namespace
using namespace std::chrono_literals;
namespace json = boost::json;


TEST_CASE("a booking made, moved and cancelled in a booking system shows up, moves and goes away") {
  Platform p;
  const auto clinics = p.granted_clinics();
  REQUIRE_FALSE(clinics.empty());
  const auto clinic = clinics.begin()->second.front();
  const auto person = p.persons(3).at(2);

  const auto t0 = std::chrono::steady_clock::now();
  const auto [booking, address] = p.book(person, clinic);
  REQUIRE(eventually([&] { return Platform::has_booking(p.slice(person, address), booking); }, 5s));
  MESSAGE("booking visible in the daemon's slice after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
          << " ms (push, durable store, refresh through VP)");
  CHECK(status_of(p.slice(person, address)) == "DataFromSource");
  // Every call named the citizen in its Actor header (subject_of_care), as the platform expects.
  const auto calls = get_json(p.sim_address, "/control/calls/" + address);
  CHECK(calls.at("vp").as_int64() > 0);
  CHECK(calls.at("without_actor").as_int64() == 0);

  send_json(p.sim_address, "POST", "/control/persons/" + person + "/bookings/" + booking + "/reschedule",
            R"({"start":"20270120143000","minutes":45})");
  CHECK(eventually(
      [&] {
        std::string start;
        return Platform::has_booking(p.slice(person, address), booking, &start) && start == "2027-01-20T14:30:00+01:00";
      },
      5s));

  send_json(p.sim_address, "DELETE", "/control/persons/" + person + "/bookings/" + booking, "");
  CHECK(eventually([&] { return !Platform::has_booking(p.slice(person, address), booking); }, 5s));
  // The engagement is kept only as a tombstone (so that a late, older create is not applied).
  const auto view = http_get(p.daemon->admin, "/admin/persons/" + person).body;
  const auto at = view.find("\"bookingId\":\"" + booking + "\"");
  REQUIRE(at != std::string::npos);
  CHECK(view.substr(at, view.find('}', at) - at).find("\"deleted\":true") != std::string::npos);
  CHECK(p.daemon->log().find(person) == std::string::npos);
}

TEST_CASE("an address TAK does not permit is never called") {
  Platform p;
  for (const std::string state : {"missing", "expired"}) {
    CAPTURE(state);
    const auto forbidden = p.clinic_with_tak(state);
    REQUIRE_FALSE(forbidden.empty());
    const auto person = p.persons(5).at(state == "missing" ? 3 : 4);
    const auto [booking, address] = p.book(person, forbidden);
    REQUIRE(address == forbidden);
    REQUIRE(eventually([&] { return !p.slice(person, address).is_null(); }, 5s));
    const auto s = p.slice(person, address);
    CHECK(outcome_of(s) == "not_authorized");
    CHECK(status_of(s) == "NoDataSynchFailed");
    CHECK(p.calls_to(address) == 0);
  }
  auto metrics = http_get(p.daemon->admin, "/metrics").body;
  CHECK(metrics.find(R"(bokade_source_calls_skipped_total{booking_system="other",reason="not_authorized"} 2)") !=
        std::string::npos);
}

TEST_CASE("a failing booking system neither delays nor breaks the others, and its old data stays, out of sync") {
  std::string s1, c1, s2, c2;
  Platform p([&](const Platform& w) {
    auto clinics = w.granted_clinics();
    REQUIRE(clinics.size() >= 2);
    auto it = clinics.begin();
    s1 = it->first;
    c1 = it->second.front();
    ++it;
    s2 = it->first;
    c2 = it->second.front();
    return std::vector<BookingSystemLimits>{{s1}, {s2}};
  });
  const auto person = p.persons(7).at(6);
  const auto [b1, a1] = p.book(person, c1);
  const auto [b2, a2] = p.book(person, c2);
  REQUIRE(eventually(
      [&] { return Platform::has_booking(p.slice(person, a1), b1) && Platform::has_booking(p.slice(person, a2), b2); },
      5s));

  for (const std::string mode : {"timeout", "http500", "reset", "malformed"}) {
    CAPTURE(mode);
    p.set_mode(s1, mode);
    std::this_thread::sleep_for(1100ms);  // a new second, so the next success time differs
    const auto before = json::value_to<std::string>(p.slice(person, a2).at("lastSuccessfulSynch"));
    p.refresh(person);
    // The healthy system's slice is refreshed while the failing one is still being waited for (timeout)
    // or has failed on its own.
    REQUIRE(eventually(
        [&] { return json::value_to<std::string>(p.slice(person, a2).at("lastSuccessfulSynch")) != before; }, 5s));
    if (std::string(mode) == "timeout") CHECK(outcome_of(p.slice(person, a1)) == "ok");
    REQUIRE(eventually([&] { return outcome_of(p.slice(person, a1)) != "ok"; }, 8s));
    const auto failed = p.slice(person, a1);
    CHECK(status_of(failed) == "DataFromCacheSynchFailed");
    CHECK(Platform::has_booking(failed, b1));  // the old appointment is kept
    CHECK(failed.as_object().contains("lastError"));
    CHECK(status_of(p.slice(person, a2)) == "DataFromSource");
    p.set_mode(s1, "none");
    p.refresh(person);
    REQUIRE(eventually([&] { return outcome_of(p.slice(person, a1)) == "ok"; }, 8s));
  }
}

TEST_CASE("the circuit breaker opens after repeated failures, stops calls, and recovers") {
  std::string system, clinic;
  Platform p([&](const Platform& w) {
    const auto clinics = w.granted_clinics();
    system = clinics.begin()->first;
    clinic = clinics.begin()->second.front();
    return std::vector<BookingSystemLimits>{{system}};
  });
  const auto person = p.persons(9).at(8);
  const auto [booking, address] = p.book(person, clinic);
  REQUIRE(eventually([&] { return Platform::has_booking(p.slice(person, address), booking); }, 5s));

  p.set_mode(system, "http500");
  auto breaker = [&] {
    const auto view = get_json(p.daemon->admin, "/admin/sources");
    for (const auto& s : view.at("sources").as_array()) {
      if (s.at("bookingSystem").as_string() == system) return json::value_to<std::string>(s.at("breaker"));
    }
    return std::string("missing");
  };
  for (int i = 0; i < 3; ++i) {
    const auto calls = p.calls_to(address);
    p.refresh(person);
    REQUIRE(eventually(
        [&] { return p.calls_to(address) > calls && outcome_of(p.slice(person, address)) == "soap_fault"; }, 5s));
  }
  REQUIRE(eventually([&] { return breaker() == "open"; }, 2s));
  const auto calls_when_open = p.calls_to(address);
  p.refresh(person);
  REQUIRE(eventually([&] { return outcome_of(p.slice(person, address)) == "circuit_open"; }, 5s));
  CHECK(p.calls_to(address) == calls_when_open);

  p.set_mode(system, "none");
  std::this_thread::sleep_for(1200ms);  // breaker_open_for = 1s: the next call is the probe
  p.refresh(person);
  REQUIRE(eventually([&] { return outcome_of(p.slice(person, address)) == "ok"; }, 5s));
  CHECK(breaker() == "closed");
  CHECK(status_of(p.slice(person, address)) == "DataFromSource");
}

TEST_CASE("a booking system's rate limit holds, measured at the booking system") {
  constexpr double rate = 4.0;
  std::string system, clinic;
  Platform p([&](const Platform& w) {
    const auto clinics = w.granted_clinics();
    system = clinics.begin()->first;
    clinic = clinics.begin()->second.front();
    return std::vector<BookingSystemLimits>{{system, 2, rate, 1}};
  });
  const auto people = p.persons(40);
  std::vector<std::pair<std::string, std::string>> booked;
  for (int i = 20; i < 36; ++i)
    booked.push_back({people[static_cast<std::size_t>(i)], p.book(people[static_cast<std::size_t>(i)], clinic).second});
  const auto address = booked.front().second;

  // Sample the simulator's counter for that address until all 16 calls arrived.
  std::vector<std::pair<double, std::int64_t>> samples;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 15s) {
    const auto n = p.vp_calls_to(address);
    samples.emplace_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), n);
    if (n >= 16) break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(samples.back().second >= 16);
  // In any window of w seconds at most rate*w + burst calls (+1 for sampling at window edges).
  double worst = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    for (std::size_t j = i + 1; j < samples.size(); ++j) {
      const double w = samples[j].first - samples[i].first;
      if (w < 1.0) continue;
      const double observed = static_cast<double>(samples[j].second - samples[i].second);
      CHECK_MESSAGE(observed <= rate * (w + 0.2) + 1 + 1, "window " << w << " s: " << observed << " calls");
      worst = std::max(worst, observed / w);
    }
  }
  const double total_seconds = samples.back().first;
  MESSAGE("16 calls to one system limited to " << rate << "/s took " << total_seconds << " s; worst window rate "
                                               << worst << "/s");
  CHECK(total_seconds >= (16 - 1 - 1) / rate * 0.9);
}

TEST_CASE("coverage figures equal the simulator's ground truth for a 10,000-person world") {
  Platform p({}, PlatformOptions{10000, {"--ei-replay-on-start", "--ei-batch-size", "1000"}, true, true, ""});
  // The legacy path: the clinic relations the simulator wrote, loaded with the operator's command.
  const auto relations = p.relations_file();
  REQUIRE(std::filesystem::exists(relations));
  auto imported = run({BOKADECTL_PATH, "--admin", p.daemon->admin, "import-relations", relations.string()});
  REQUIRE_MESSAGE(imported.status == 0, imported.output);
  CHECK(imported.output.find("\"rejected\":0") != std::string::npos);
  {
    // The import's progress, as an operator watches it in Prometheus: every relation stored, of all of them.
    const auto metrics = http_get(p.daemon->admin, "/metrics").body;
    std::size_t lines = 0;
    for (const auto& line : split_lines(read_file(relations))) lines += line.find(',') != std::string::npos ? 1 : 0;
    const auto relation_count = lines - 1;  // the header
    CHECK(metrics.find(fmt::format("bokade_relations_import_processed {}\n", relation_count)) != std::string::npos);
    CHECK(metrics.find(fmt::format("bokade_relations_import_expected {}\n", relation_count)) != std::string::npos);
  }

  // Wait until the index is in and every refresh has run (the queue idle for a while).
  int idle = 0;
  const auto started = std::chrono::steady_clock::now();
  while (idle < 15 && std::chrono::steady_clock::now() - started < 240s) {
    const auto q = get_json(p.daemon->admin, "/admin/sources").at("refreshQueue");
    idle = (q.at("waiting").as_int64() == 0 && q.at("running").as_int64() == 0) ? idle + 1 : 0;
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE(idle >= 15);
  MESSAGE("index pushed and every person refreshed in "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");

  {
    std::istringstream lines(http_get(p.daemon->admin, "/metrics").body);
    std::string line, failures;
    while (std::getline(lines, line)) {
      if ((line.rfind("bokade_source_calls_total", 0) == 0 || line.rfind("bokade_source_calls_skipped_total", 0) == 0) &&
          line.find("outcome=\"ok\"") == std::string::npos && !line.ends_with(" 0")) {
        failures += line + "\n";
      }
    }
    MESSAGE("calls that did not end ok:\n" << failures);
  }
  const auto ours = get_json(p.daemon->admin, "/admin/coverage?limit=5");
  const auto truth = get_json(p.sim_address, "/control/coverage");
  // The simulator's ground truth counts a booking on the EI path when the booking itself is indexed (and
  // callable); the daemon's "indexed" is exactly that, seen from the slices and the engagements it holds.
  auto expect_equal = [](const json::value& mine, const json::value& sim, const std::string& what) {
    CAPTURE(what);
    auto n = [](const json::value& v, const char* k) { return v.at(k).to_number<std::int64_t>(); };
    CHECK(n(mine, "indexed") == n(sim, "ei_path"));
    CHECK(n(mine, "relation_path") == n(sim, "legacy_path"));
    CHECK(n(mine, "relation_and_indexed") == n(sim, "both"));
    CHECK(mine.at("coverage").to_number<double>() == doctest::Approx(sim.at("coverage").to_number<double>()));
    // Everything either path finds; the daemon also sees bookings that are neither indexed nor related
    // but returned by an indexed clinic with another booking of the person (sim: "neither").
    CHECK(n(mine, "indexed") + n(mine, "relation_path") - n(mine, "relation_and_indexed") ==
          n(sim, "bookings") - n(sim, "neither"));
  };
  expect_equal(ours.at("national"), truth.at("total"), "national");
  std::map<std::string, json::value> mine_by_region;
  for (const auto& r : ours.at("regions").as_array()) mine_by_region[json::value_to<std::string>(r.at("region"))] = r;
  for (const auto& r : truth.at("regions").as_array()) {
    const auto name = json::value_to<std::string>(r.at("region"));
    if (r.at("bookings").to_number<std::int64_t>() == r.at("neither").to_number<std::int64_t>()) continue;
    REQUIRE_MESSAGE(mine_by_region.contains(name), name);
    expect_equal(mine_by_region.at(name), r, name);
  }
  MESSAGE("national coverage: " << json::serialize(ours.at("national")));
  CHECK(ours.at("gaps").as_array().size() == 5);
  auto metrics = http_get(p.daemon->admin, "/metrics").body;
  CHECK(metrics.find("bokade_coverage_appointments{booking_system=") != std::string::npos);
}
