// The ProcessNotification endpoint with a real store and write queue, fed real and generated messages.

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <thread>

#include <prometheus/registry.h>

#include "bokade/ei/notification_receiver.hpp"
#include "engagement_data.hpp"
#include "process.hpp"

using namespace bokade;
using namespace bokade::test;
namespace asio = boost::asio;

namespace {

struct Receiver {
  explicit Receiver(std::size_t max_transactions = 2000) : metrics(registry) {
    ei::ReceiverOptions o;
    o.max_transactions = max_transactions;
    receiver = std::make_unique<ei::NotificationReceiver>(queue, o, &metrics, [this](const ei::ApplySummary& s) {
      changed_persons += s.affected.size();
    });
    thread = std::thread([this] { ioc.run(); });
  }
  ~Receiver() {
    work.reset();
    thread.join();
  }
  net::HttpResponse post(std::string body) {
    net::HttpRequest req;
    req.method = "POST";
    req.body = std::move(body);
    return asio::co_spawn(ioc, receiver->handle(req), asio::use_future).get();
  }
  std::size_t stored(const std::string& person) { return ei::engagements_of(*store, *PersonId::parse(person))->size(); }

  TempDir dir;
  std::unique_ptr<store::Store> store = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue queue{*store, 16};
  prometheus::Registry registry;
  ei::EiMetrics metrics;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::unique_ptr<ei::NotificationReceiver> receiver;
  std::thread thread;
  std::atomic<std::size_t> changed_persons{0};
};

std::string shared(const std::string& rel) { return read_file(std::filesystem::path(BOKADE_SHARED_DIR) / "rivta" / rel); }

}  // namespace

TEST_CASE("the real 1001-row notification is acknowledged; its other-domain rows change nothing") {
  Receiver r;
  auto res = r.post(shared("itintegration/engagementindex/samples/vp-tests/ProcessNotificationLargePayload.xml"));
  CHECK(res.status == 200);
  CHECK(res.body.find("ResultCode>OK<") != std::string::npos);
  CHECK(r.stored("189001019802") == 0);
  CHECK(r.changed_persons == 0);
}

TEST_CASE("a 1001-transaction scheduling batch is stored whole before OK") {
  Receiver r;
  std::vector<rivta::EngagementTransaction> txs;
  for (int i = 0; i < 1001; ++i) txs.push_back(booking(personnummer(i % 100), "SE2321000016-C" + std::to_string(i % 7), "B" + std::to_string(i)));
  auto body = rivta::write_process_notification("5565594230", txs);
  REQUIRE(body.has_value());
  auto res = r.post(*body);
  CHECK(res.status == 200);
  CHECK(res.body.find("ResultCode>OK<") != std::string::npos);
  std::size_t total = 0;
  for (int p = 0; p < 100; ++p) total += r.stored(personnummer(p));
  CHECK(total == 1001);
  CHECK(r.changed_persons == 100);
  // Delivered again (at least once): acknowledged, nothing changes.
  res = r.post(*body);
  CHECK(res.status == 200);
  CHECK(r.changed_persons == 100);
}

TEST_CASE("a malformed or oversized batch gets a SOAP fault and changes nothing") {
  Receiver r(1000);
  std::vector<rivta::EngagementTransaction> txs;
  for (int i = 0; i < 1001; ++i) txs.push_back(booking(personnummer(7), "LA", "B" + std::to_string(i)));
  auto body = *rivta::write_process_notification("5565594230", txs);

  auto truncated = r.post(body.substr(0, body.size() / 2));
  CHECK(truncated.status == 500);
  CHECK(truncated.body.find("faultstring") != std::string::npos);
  CHECK(truncated.body.find("could not be read") != std::string::npos);

  auto too_many = r.post(body);
  CHECK(too_many.status == 500);
  CHECK(too_many.body.find("faultstring") != std::string::npos);
  CHECK(r.stored(personnummer(7)) == 0);

  auto garbage = r.post("<not-soap/>");
  CHECK(garbage.status == 500);
  CHECK(r.stored(personnummer(7)) == 0);
}
