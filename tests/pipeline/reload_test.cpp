// SIGHUP as an operator uses it: bokaded follows bokade-sim (both real processes on loopback), the
// operator edits the configuration file and sends SIGHUP, and the change shows where it matters — in the
// calls the simulated booking systems receive, the breakers and the metrics — without a restart.

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <atomic>
#include <csignal>
#include <thread>

#include "platform.hpp"

using namespace bokade::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The [[booking_systems]] entry the platform writes for `l`.
std::string booking_system_entry(const BookingSystemLimits& l) {
  return fmt::format("\n[[booking_systems]]\nname = \"{}\"\nsource_systems = [\"{}\"]\nmax_concurrency = {}\n"
                     "rate_per_second = {}\nburst = {}\n",
                     l.system, l.system, l.max_concurrency, l.rate, l.burst);
}

// Rewrites the daemon's configuration file, sends SIGHUP and waits until the reload is logged as applied.
void reload(Platform& p, const std::vector<std::pair<std::string, std::string>>& replacements,
            const std::string& appended = {}) {
  auto text = read_file(p.daemon->config_path);
  for (const auto& [from, to] : replacements) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "not in the configuration: " << from);
    text.replace(at, from.size(), to);
  }
  write_file(p.daemon->config_path, text + appended);
  const auto before = count_of(p.daemon->log(), "\"configuration reloaded\"");
  p.daemon->process->signal(SIGHUP);
  REQUIRE_MESSAGE(
      eventually([&] { return count_of(p.daemon->log(), "\"configuration reloaded\"") > before; }, 5s),
      p.daemon->log());
}

json::object source_state(const Platform& p, const std::string& system) {
  const auto view = get_json(p.daemon->admin, "/admin/sources");
  for (const auto& s : view.at("sources").as_array()) {
    if (s.at("bookingSystem").as_string() == system) return s.as_object();
  }
  return {};
}

// Persons the simulated world gives no booking at all: every clinic bokade asks for them is one this test
// booked, so each refresh makes exactly the calls the test expects.
std::vector<std::string> persons_without_bookings(const Platform& p, std::size_t n) {
  const auto list = get_json(p.sim_address, "/control/persons?limit=10000");
  std::vector<std::string> out;
  for (const auto& person : list.at("persons").as_array()) {
    if (person.at("bookings").as_int64() == 0 && person.at("relations").as_array().empty() && out.size() < n) {
      out.push_back(json::value_to<std::string>(person.at("id")));
    }
  }
  REQUIRE_MESSAGE(out.size() == n, "the world has only " << out.size() << " persons without bookings");
  return out;
}

// Calls reaching the simulator's VP for `address` during `window`.
std::int64_t calls_during(const Platform& p, const std::string& address, std::chrono::milliseconds window) {
  const auto first = p.vp_calls_to(address);
  std::this_thread::sleep_for(window);
  return p.vp_calls_to(address) - first;
}

}  // namespace

TEST_CASE("SIGHUP applies booking-system limits, breaker policy, call timeout and new booking systems") {
  // Four booking systems of the simulated world: three configured at start, one added by the reload.
  std::vector<std::string> systems, clinics;
  Platform p([&](const Platform& w) {
    for (const auto& [system, granted] : w.granted_clinics()) {
      systems.push_back(system);
      clinics.push_back(granted.front());
    }
    REQUIRE(systems.size() >= 4);
    return std::vector<BookingSystemLimits>{{systems[0]}, {systems[1]}, {systems[2]}};
  });
  const std::string& rate_system = systems[0];
  const std::string& breaker_system = systems[1];
  const std::string& slow_system = systems[2];
  const std::string& added_system = systems[3];
  const auto people = persons_without_bookings(p, 23);

  // ---- A booking system's rate, lowered under load ----
  std::vector<std::string> loaded;  // persons with a booking at the rate-limited clinic
  std::string rate_address;
  for (std::size_t i = 0; i < 20; ++i) {
    const auto [booking, address] = p.book(people[i], clinics[0]);
    loaded.push_back(people[i]);
    rate_address = address;
  }
  REQUIRE(eventually(
      [&] {
        for (const auto& person : loaded) {
          if (p.slice(person, rate_address).is_null()) return false;
        }
        return true;
      },
      10s));

  // About 25 refreshes a second, each asking the clinic once.
  std::atomic<bool> stop{false};
  std::thread load([&] {
    for (std::size_t i = 0; !stop; ++i) {
      http_request(p.daemon->admin, "POST", "/admin/persons/" + loaded[i % loaded.size()] + "/refresh");
      std::this_thread::sleep_for(40ms);
    }
  });
  const auto fast = calls_during(p, rate_address, 2s);
  MESSAGE("at 500/s allowed: " << fast << " calls in 2 s");
  CHECK(fast >= 20);

  reload(p, {{booking_system_entry({rate_system}), booking_system_entry({rate_system, 32, 2, 1})}});
  CHECK(p.daemon->log().find("\"applied\":\"booking_systems\"") != std::string::npos);
  std::this_thread::sleep_for(500ms);
  const auto slow = calls_during(p, rate_address, 3s);
  stop = true;
  load.join();
  MESSAGE("after SIGHUP with 2/s: " << slow << " calls in 3 s");
  // At 2/s with a burst of 1: at most 7 in 3 s; a second of slack for sampling, one call for each edge.
  // (At the old limit the same load made about 75.)
  CHECK(slow <= 2 * (3 + 1) + 2);
  CHECK(slow >= 2);                      // still served, at the new pace
  // Refreshes that could not get a slot before their deadline end at once; the rest drain.
  REQUIRE(eventually(
      [&] {
        const auto s = source_state(p, rate_system);
        return s.at("inFlight").as_int64() == 0 && s.at("waiting").as_int64() == 0;
      },
      8s));

  // ---- Call timeout and a new booking system, then the breaker policy ----
  const auto breaker_person = people[20];
  const auto [breaker_booking, breaker_address] = p.book(breaker_person, clinics[1]);
  const auto slow_person = people[21];
  const auto [slow_booking, slow_address] = p.book(slow_person, clinics[2]);
  const auto added_person = people[22];
  const auto [added_booking, added_address] = p.book(added_person, clinics[3]);
  REQUIRE(eventually(
      [&] {
        return Platform::has_booking(p.slice(breaker_person, breaker_address), breaker_booking) &&
               Platform::has_booking(p.slice(slow_person, slow_address), slow_booking) &&
               Platform::has_booking(p.slice(added_person, added_address), added_booking);
      },
      8s));

  // Before: a 700 ms producer is within the 3 s call timeout. (A new second first, so that this refresh's
  // success time differs from the one after the booking.)
  send_json(p.sim_address, "PUT", "/control/systems/" + slow_system, R"({"latency":"700ms"})");
  const auto synced = [&] {
    return json::value_to<std::string>(p.slice(slow_person, slow_address).at("lastSuccessfulSynch"));
  };
  const auto first_sync = synced();
  std::this_thread::sleep_for(1100ms);
  p.refresh(slow_person);
  REQUIRE(eventually([&] { return synced() != first_sync; }, 5s));
  CHECK(outcome_of(p.slice(slow_person, slow_address)) == "ok");
  const auto metrics_before = http_get(p.daemon->admin, "/metrics").body;
  CHECK(metrics_before.find(fmt::format(R"(booking_system="{}")", added_system)) == std::string::npos);

  reload(p, {{"call_timeout = \"3s\"", "call_timeout = \"300ms\""}}, booking_system_entry({added_system}));
  CHECK(p.daemon->log().find("\"applied\":\"vp, booking_systems\"") != std::string::npos);

  // The added booking system has its series (at 0) and its place in the sources view at once.
  const auto metrics_after = http_get(p.daemon->admin, "/metrics").body;
  CHECK(metrics_after.find(fmt::format(R"(bokade_source_calls_total{{booking_system="{}",outcome="ok"}} 0)",
                                       added_system)) != std::string::npos);
  CHECK_FALSE(source_state(p, added_system).empty());
  // Its clinic's calls are now counted and limited under its name, not "other".
  p.refresh(added_person);
  REQUIRE(eventually(
      [&] {
        return http_get(p.daemon->admin, "/metrics")
                   .body.find(fmt::format(R"(bokade_source_calls_total{{booking_system="{}",outcome="ok"}} 0)",
                                          added_system)) == std::string::npos;
      },
      5s));

  // Call timeout: the same 700 ms producer is now too slow.
  p.refresh(slow_person);
  REQUIRE_MESSAGE(eventually([&] { return outcome_of(p.slice(slow_person, slow_address)) == "timeout"; }, 5s),
                  json::serialize(p.slice(slow_person, slow_address)));
  CHECK(status_of(p.slice(slow_person, slow_address)) == "DataFromCacheSynchFailed");

  // Breaker policy: one failure opens it now (it took three before), and it stays open past the old 1 s.
  reload(p, {{"breaker_failures = 3", "breaker_failures = 1"},
             {"breaker_open_for = \"1s\"", "breaker_open_for = \"1h\""}});
  p.set_mode(breaker_system, "http500");
  CHECK(json::value_to<std::string>(source_state(p, breaker_system).at("breaker")) == "closed");
  p.refresh(breaker_person);
  REQUIRE(eventually([&] { return outcome_of(p.slice(breaker_person, breaker_address)) != "ok"; }, 5s));
  REQUIRE(eventually(
      [&] { return json::value_to<std::string>(source_state(p, breaker_system).at("breaker")) == "open"; }, 2s));
  std::this_thread::sleep_for(1500ms);
  const auto calls_when_open = p.calls_to(breaker_address);
  p.refresh(breaker_person);
  REQUIRE(eventually([&] { return outcome_of(p.slice(breaker_person, breaker_address)) == "circuit_open"; }, 5s));
  CHECK(p.calls_to(breaker_address) == calls_when_open);
  CHECK(json::value_to<std::string>(source_state(p, breaker_system).at("breaker")) == "open");
}
