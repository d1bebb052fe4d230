#include "tak.hpp"

#include <boost/json.hpp>

namespace bokade::sim {
namespace json = boost::json;

namespace {

// TAK writes times as "2009-03-10T00:00:00+0100".
std::string tak_time(UtcTime t) {
  std::string s = format_iso_local(t);  // "2026-11-22T09:30:00+01:00"
  if (s.size() >= 3 && s[s.size() - 3] == ':') s.erase(s.size() - 3, 1);
  return s;
}

json::object row(std::int64_t id) {
  json::object o;
  o["id"] = id;
  return o;
}

}  // namespace

Tak::Tak(const World& world, std::string consumer_hsa_id, std::string ei_logical_address)
    : world_(world), consumer_(std::move(consumer_hsa_id)), ei_logical_address_(std::move(ei_logical_address)) {}

bool Tak::may_call_schedule(std::string_view consumer, std::size_t clinic) const {
  return upper(consumer) == upper(consumer_) && world_.clinics()[clinic].permission == TakPermission::granted;
}

bool Tak::may_call_find_content(std::string_view consumer) const { return upper(consumer) == upper(consumer_); }

std::string Tak::export_json(const TakAddresses& addresses) const {
  using namespace std::chrono;
  const UtcTime epoch = world_.epoch_start();
  const std::string always_from = tak_time(stockholm_local(sys_days{year{2020} / January / 1}, minutes{0}));
  const std::string always_to = tak_time(stockholm_local(sys_days{year{2113} / December / 24}, minutes{0}));

  json::array profiles, contracts, addresses_out, components, calls, permissions, routes;
  {
    auto p = row(1);
    p["namn"] = "RIVTABP21";
    p["beskrivning"] = "RIV TA BP 2.1";
    p["pubversion"] = "1";
    profiles.push_back(std::move(p));
  }
  auto contract = [&](std::int64_t id, std::string_view ns, std::string_view text, int minor) {
    auto c = row(id);
    c["namnrymd"] = ns;
    c["beskrivning"] = text;
    c["majorVersion"] = 1;
    c["minorVersion"] = minor;
    c["pubversion"] = "1";
    contracts.push_back(std::move(c));
  };
  contract(1, schedule_contract, "Tidbokning - GetSubjectOfCareSchedule", 1);
  contract(2, find_content_contract, "Engagemangsindex - FindContent", 0);
  contract(3, process_notification_contract, "Engagemangsindex - ProcessNotification", 0);

  std::int64_t next_component = 1;
  auto component = [&](std::string_view hsa, std::string_view text) {
    auto c = row(next_component);
    c["hsaId"] = hsa;
    c["beskrivning"] = text;
    c["pubversion"] = "1";
    components.push_back(std::move(c));
    return next_component++;
  };
  std::int64_t next_call = 1;
  auto call_address = [&](std::string_view url, std::int64_t comp) {
    auto a = row(next_call);
    a["adress"] = url;
    a["pubversion"] = "1";
    a["relationships"] = json::object{{"rivtaprofil", 1}, {"tjanstekomponent", comp}};
    calls.push_back(std::move(a));
    return next_call++;
  };
  auto logical = [&](std::int64_t id, std::string_view hsa, std::string_view text) {
    auto l = row(id);
    l["hsaId"] = hsa;
    l["beskrivning"] = text;
    l["pubversion"] = "1";
    addresses_out.push_back(std::move(l));
  };
  auto permission = [&](std::int64_t la, std::int64_t comp, std::int64_t contract_id, const std::string& from,
                        const std::string& to) {
    auto p = row(static_cast<std::int64_t>(permissions.size()) + 1);
    p["integrationsavtal"] = "I" + std::to_string(permissions.size() + 1);
    p["fromTidpunkt"] = from;
    p["tomTidpunkt"] = to;
    p["pubversion"] = "1";
    p["relationships"] = json::object{{"logiskAdress", la}, {"tjanstekomponent", comp}, {"tjanstekontrakt", contract_id}};
    permissions.push_back(std::move(p));
  };
  auto route = [&](std::int64_t la, std::int64_t call, std::int64_t contract_id) {
    auto v = row(static_cast<std::int64_t>(routes.size()) + 1);
    v["fromTidpunkt"] = always_from;
    v["tomTidpunkt"] = always_to;
    v["pubversion"] = "1";
    v["relationships"] = json::object{{"anropsadress", call}, {"logiskadress", la}, {"tjanstekontrakt", contract_id}};
    routes.push_back(std::move(v));
  };

  const std::int64_t consumer = component(consumer_, "Konsument: bokade, aggregerade bokade tider");
  const std::int64_t ei = component("SE5565594230-EI", "Engagemangsindex");
  std::vector<std::int64_t> system_calls;
  for (std::size_t i = 0; i < world_.systems().size(); ++i) {
    const auto& s = world_.systems()[i];
    const std::int64_t comp = component(s.id, "Producent: " + s.product + ", " + world_.regions()[s.region].name);
    system_calls.push_back(call_address(i < addresses.producer_urls.size() ? addresses.producer_urls[i] : "", comp));
  }

  // Logical address ids: clinics are 1..n, the engagement index n + 1.
  const auto& clinics = world_.clinics();
  for (std::size_t i = 0; i < clinics.size(); ++i) {
    const auto& c = clinics[i];
    const auto la = static_cast<std::int64_t>(i + 1);
    logical(la, c.hsa_id, c.name);
    route(la, system_calls[c.system], 1);
    switch (c.permission) {
      case TakPermission::granted: permission(la, consumer, 1, always_from, always_to); break;
      case TakPermission::expired:
        permission(la, consumer, 1, tak_time(epoch - days{3 * 365}), tak_time(epoch - days{30}));
        break;
      case TakPermission::not_yet_valid: permission(la, consumer, 1, tak_time(epoch + days{365}), always_to); break;
      case TakPermission::missing: break;
    }
  }
  const auto ei_la = static_cast<std::int64_t>(clinics.size() + 1);
  logical(ei_la, ei_logical_address_, "Organisation: Inera, engagemangsindex");
  route(ei_la, call_address(addresses.find_content_url, ei), 2);
  permission(ei_la, consumer, 2, always_from, always_to);
  if (!addresses.subscriber_url.empty()) {
    // The index delivers ProcessNotification to the consumer's own endpoint.
    route(ei_la, call_address(addresses.subscriber_url, consumer), 3);
    permission(ei_la, ei, 3, always_from, always_to);
  }

  json::object data;
  data["rivtaprofil"] = std::move(profiles);
  data["tjanstekontrakt"] = std::move(contracts);
  data["logiskadress"] = std::move(addresses_out);
  data["tjanstekomponent"] = std::move(components);
  data["anropsadress"] = std::move(calls);
  data["anropsbehorighet"] = std::move(permissions);
  data["vagval"] = std::move(routes);
  data["filter"] = json::array{};
  data["filtercategorization"] = json::array{};
  json::object root;
  root["formatVersion"] = "1";
  root["version"] = "1";
  root["tidpunkt"] = tak_time(time_point_cast<seconds>(system_clock::now()));
  root["utforare"] = "bokade-sim";
  root["kommentar"] = "Simulated national platform, seed " + std::to_string(world_.options().seed);
  root["data"] = std::move(data);
  return json::serialize(root);
}

}  // namespace bokade::sim
