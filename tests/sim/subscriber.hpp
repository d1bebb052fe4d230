#pragma once
// A ProcessNotification subscriber for the simulator's tests: a real HTTP server on loopback that stores
// every notification bokade-sim pushes and answers OK (or, when told to, a SOAP fault).

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bokade/net/http_server.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"

namespace bokade::sim::test {

struct Subscriber {
  boost::asio::io_context ioc;
  std::unique_ptr<net::HttpServer> server;
  std::thread thread;
  std::mutex mutex;
  std::vector<rivta::ProcessNotification> received;
  std::vector<std::string> raw;
  std::atomic<int> fail_next{0};  // answer this many calls with a SOAP fault

  Subscriber() {
    net::Router r;
    r.add("POST", "/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21", "pn",
          [this](const net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
            net::HttpResponse resp;
            resp.content_type = "text/xml; charset=UTF-8";
            if (fail_next > 0) {
              --fail_next;
              resp.status = 500;
              resp.body = rivta::write_fault(rivta::FaultCode::server, "store unavailable");
              co_return resp;
            }
            auto n = rivta::read_process_notification(req.body);
            {
              std::lock_guard lock(mutex);
              raw.push_back(req.body);
              if (n) received.push_back(*n);
            }
            resp.body = rivta::write_process_notification_response({n ? rivta::ResultCode::ok : rivta::ResultCode::error, ""});
            co_return resp;
          });
    server = std::make_unique<net::HttpServer>(ioc, net::ServerOptions{}, std::move(r));
    REQUIRE(server->listen());
    server->start();
    thread = std::thread([this] { ioc.run(); });
  }
  ~Subscriber() {
    server->stop();
    ioc.stop();
    thread.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) +
           "/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21";
  }
  std::vector<rivta::EngagementTransaction> transactions() {
    std::lock_guard lock(mutex);
    std::vector<rivta::EngagementTransaction> all;
    for (const auto& n : received) all.insert(all.end(), n.transactions.begin(), n.transactions.end());
    return all;
  }
  // Waits until `pred(transactions())` holds, up to 5 s.
  template <class Pred>
  bool wait_for(Pred pred) {
    for (int i = 0; i < 250; ++i) {
      if (pred(transactions())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

}  // namespace bokade::sim::test
