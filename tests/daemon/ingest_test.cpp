// Engagement notifications into the real daemon: acknowledged means durable, through kill -9.

#include <doctest/doctest.h>

#include <csignal>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "bokade/ei/engagement_apply.hpp"
#include "bokade/store/store.hpp"
#include "daemon_support.hpp"
#include "engagement_data.hpp"
#include "http_client.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::test;
using namespace std::chrono_literals;

namespace {
const std::string notification_path = "/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21";
}

TEST_CASE("a notification posted to bokaded is stored and shown, masked, on the admin listener") {
  TempDir dir;
  Daemon d(dir.path(), daemon_config(dir.path() / "data"));
  REQUIRE_MESSAGE(d.wait_ready(), d.log());
  const auto person = personnummer(42);
  std::vector<rivta::EngagementTransaction> txs{booking(person, "SE2321000016-AB12", "BOOK-1"),
                                                booking(person, "SE2321000016-CD34", "BOOK-2")};
  auto res = http_request(d.query, "POST", notification_path, *rivta::write_process_notification("5565594230", txs),
                          {{"Content-Type", "text/xml; charset=utf-8"}});
  REQUIRE(res.status == 200);
  CHECK(res.body.find("ResultCode>OK<") != std::string::npos);

  auto view = http_get(d.admin, "/admin/persons/" + person);
  REQUIRE(view.status == 200);
  CHECK(view.body.find("\"person\":\"" + person.substr(0, 8) + "-****\"") != std::string::npos);
  CHECK(view.body.find(person) == std::string::npos);
  CHECK(view.body.find("\"bookingId\":\"BOOK-1\"") != std::string::npos);
  CHECK(view.body.find("\"logicalAddress\":\"SE2321000016-CD34\"") != std::string::npos);
  CHECK(http_get(d.admin, "/admin/persons/191212121213").status == 400);

  auto metrics = http_get(d.admin, "/metrics").body;
  CHECK(metrics.find(R"(bokade_ei_notifications_total{result="ok"} 1)") != std::string::npos);
  CHECK(metrics.find(R"(bokade_ei_transactions_total{kind="created"} 2)") != std::string::npos);
  // The log names the person nowhere.
  CHECK(d.log().find(person) == std::string::npos);
}

TEST_CASE("kill -9 during ingestion, 10 times: no acknowledged transaction is lost") {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::mt19937 rng(20261122);
  std::set<std::pair<std::string, std::string>> acknowledged;  // (person, bookingId)
  int batch_no = 0;
  for (int round = 0; round < 10; ++round) {
    Daemon d(dir.path(), daemon_config(data), "round" + std::to_string(round));
    REQUIRE_MESSAGE(d.wait_ready(), d.log());
    std::atomic<bool> stop{false};
    std::thread sender([&] {
      while (!stop) {
        std::vector<rivta::EngagementTransaction> txs;
        const int b = batch_no++;
        for (int i = 0; i < 50; ++i) {
          txs.push_back(booking(personnummer((b * 50 + i) % 20000), "SE2321000016-K" + std::to_string(i % 5),
                                fmt::format("R{}-B{}-{}", round, b, i)));
        }
        auto res = http_request(d.query, "POST", notification_path,
                                *rivta::write_process_notification("5565594230", txs));
        if (res.status == 200 && res.body.find("ResultCode>OK<") != std::string::npos) {
          for (const auto& t : txs) {
            acknowledged.emplace(t.engagement.key.registered_resident_identification,
                                 t.engagement.key.business_object_instance_identifier);
          }
        }
        if (res.status == 0) break;  // the daemon is gone
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(80, 400)(rng)));
    d.process->signal(SIGKILL);
    REQUIRE(d.process->wait(10s).has_value());
    stop = true;
    sender.join();
  }
  REQUIRE(acknowledged.size() > 100);

  auto s = store::Store::open(data, {});
  REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().message));
  std::set<std::string> persons;
  for (const auto& [p, b] : acknowledged) persons.insert(p);
  std::set<std::pair<std::string, std::string>> stored;
  for (const auto& p : persons) {
    for (const auto& e : *ei::engagements_of(**s, *PersonId::parse(p))) {
      stored.emplace(p, e.key.business_object_instance_identifier);
    }
  }
  std::size_t lost = 0;
  for (const auto& a : acknowledged) lost += stored.count(a) ? 0 : 1;
  MESSAGE(acknowledged.size() << " acknowledged transactions over 10 kills, " << lost << " lost");
  CHECK(lost == 0);
}
