#pragma once
// Everything the simulator is made of, wired once: the world, the ledger, TAK, the booking systems
// with their listeners, VP, the engagement index push, the shared HTTP listener with its routes.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bokade/net/http_server.hpp"
#include "engagement_index.hpp"
#include "ledger.hpp"
#include "options.hpp"
#include "producer.hpp"
#include "producer_listener.hpp"
#include "tak.hpp"
#include "virtualization_platform.hpp"

namespace bokade::sim {

class Simulator {
 public:
  // Builds the world; fails on bad options.
  static Expected<std::unique_ptr<Simulator>> create(boost::asio::io_context& ioc, SimOptions options);
  // Binds every listener (the io_context must be running) and starts the push.
  Status start();
  void stop();

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] std::string base_url() const;

  // For the control API.
  boost::asio::io_context& ioc;
  SimOptions options;
  World world;
  Ledger ledger;
  Tak tak;
  CallCounters counters;
  Behaviours behaviours;
  Producers producers;
  VirtualizationPlatform vp;
  EngagementPush push;
  std::vector<std::unique_ptr<ProducerListener>> listeners;
  [[nodiscard]] std::string tak_export() const;
  [[nodiscard]] std::vector<std::string> producer_urls() const;
  // Applies a behaviour, opening or closing the system's listener for mode refused.
  boost::asio::awaitable<Status> apply(std::size_t system, const Behaviour& b);

 private:
  Simulator(boost::asio::io_context& ioc, SimOptions options, World world);
  std::unique_ptr<net::HttpServer> server_;
};

// Registers /control/* on the router.
void add_control_routes(net::Router& router, Simulator& sim);

}  // namespace bokade::sim
