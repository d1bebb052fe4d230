#include "simulator.hpp"

#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "bokade/core/log.hpp"

namespace bokade::sim {
namespace asio = boost::asio;

Expected<std::unique_ptr<Simulator>> Simulator::create(asio::io_context& ioc, SimOptions options) {
  auto world = World::build(options.world);
  if (!world) return Unexpected<Error>{world.error()};
  for (const auto& o : options.overrides) {
    if (o.system != "*" && !world->find_system(o.system)) return fail("no booking system with id '" + o.system + "' (see GET /control/systems)");
  }
  return std::unique_ptr<Simulator>(new Simulator(ioc, std::move(options), std::move(*world)));
}

Simulator::Simulator(asio::io_context& io, SimOptions opts, World w)
    : ioc(io),
      options(std::move(opts)),
      world(std::move(w)),
      ledger(world, options.ei_owner),
      tak(world, options.consumer, options.ei_logical_address),
      counters(world),
      behaviours(options.world.seed, world.systems().size()),
      producers(ledger, behaviours, counters, options.producer),
      vp(ledger, producers, tak, counters, options.vp),
      push(io, ledger, options.push) {
  for (std::size_t i = 0; i < world.systems().size(); ++i) {
    listeners.push_back(std::make_unique<ProducerListener>(ioc, producers, i, "/producer/" + world.systems()[i].id,
                                                           options.listen_address));
  }
  for (const auto& o : options.overrides) {
    for (std::size_t i = 0; i < world.systems().size(); ++i) {
      if (o.system != "*" && upper(o.system) != upper(world.systems()[i].id)) continue;
      Behaviour b = behaviours.get(i);
      if (o.mode) b.mode = *o.mode;
      if (o.latency) b.latency = *o.latency;
      if (o.error_rate) b.error_rate = *o.error_rate;
      behaviours.set(i, b);
    }
  }
}

std::string Simulator::base_url() const { return "http://" + options.listen_address + ":" + std::to_string(port()); }

std::vector<std::string> Simulator::producer_urls() const {
  std::vector<std::string> urls;
  for (const auto& l : listeners) urls.push_back("http://" + options.listen_address + ":" + std::to_string(l->port()) + l->path());
  return urls;
}

std::string Simulator::tak_export() const {
  TakAddresses a;
  a.producer_urls = producer_urls();
  a.find_content_url = base_url() + "/ei/itintegration/engagementindex/FindContent/1/rivtabp21";
  a.subscriber_url = options.push.subscriber_url;
  return tak.export_json(a);
}

asio::awaitable<Status> Simulator::apply(std::size_t system, const Behaviour& b) {
  behaviours.set(system, b);
  if (b.mode == FaultMode::refused) {
    co_await listeners[system]->close_async();
    co_return Status{};
  }
  co_return co_await listeners[system]->open_async();
}

namespace {

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return fail("cannot write " + path);
  return {};
}

Status write_relations(const Ledger& ledger, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const bool jsonl = path.ends_with(".jsonl");
  if (!jsonl) out << "personnummer,logicalAddress\n";
  const auto& world = ledger.world();
  for (std::size_t i = 0; i < world.options().persons; ++i) {
    const Person p = generate_person(world, ledger.codec(), i);
    for (std::size_t c : p.relations) {
      const auto& la = world.clinics()[c].hsa_id;
      if (jsonl) out << R"({"personnummer":")" << p.id << R"(","logicalAddress":")" << la << "\"}\n";
      else out << p.id << ',' << la << '\n';
    }
  }
  if (!out) return fail("cannot write " + path);
  return {};
}

}  // namespace

Status Simulator::start() {
  net::Router router;
  router.add("POST", "/vp/*", "vp", [this](const net::HttpRequest& r) { return vp.handle(r); });
  router.add("POST", "/ei/*", "ei", [this](const net::HttpRequest& r) { return vp.handle_find_content_direct(r); });
  router.add("GET", "/tak/export.json", "tak", [this](const net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
    co_return net::HttpResponse::json(200, tak_export());
  });
  add_control_routes(router, *this);
  net::ServerOptions so;
  so.name = "sim";
  so.address = options.listen_address;
  so.port = options.listen_port;
  so.max_connections = 4096;
  so.max_body_bytes = 8u << 20;
  server_ = std::make_unique<net::HttpServer>(ioc, so, std::move(router));
  if (auto s = server_->listen(); !s) return s;
  server_->start();
  for (auto& l : listeners) {
    if (auto s = l->open(); !s) return s;
  }
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    if (behaviours.get(i).mode == FaultMode::refused) listeners[i]->close();
  }
  vp.set_producer_urls(producer_urls());
  if (auto s = push.start(); !s) return s;
  if (options.replay_on_start) push.replay();
  if (!options.write_tak.empty()) {
    if (auto s = write_text(options.write_tak, tak_export()); !s) return s;
  }
  if (!options.write_relations.empty()) {
    if (auto s = write_relations(ledger, options.write_relations); !s) return s;
  }
  log::info("bokade-sim listening", {{"address", base_url()},
                                     {"persons", static_cast<std::uint64_t>(world.options().persons)},
                                     {"systems", static_cast<std::uint64_t>(world.systems().size())},
                                     {"clinics", static_cast<std::uint64_t>(world.clinics().size())},
                                     {"seed", static_cast<std::uint64_t>(world.options().seed)},
                                     {"agp_fixture", world.options().agp_fixture}});
  return {};
}

void Simulator::stop() {
  push.stop();
  if (server_) server_->stop();
  for (auto& l : listeners) l->close();
}

}  // namespace bokade::sim
