// TakSnapshot: the index over a read export, and its lookups.

#include "bokade/tak/tak_snapshot.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "bokade/core/hsa_id.hpp"
#include "export_reader.hpp"

namespace bokade::tak {
namespace {

// Contract namespaces are URNs; TAK and callers have been seen to differ only in case.
std::string contract_key(std::string_view ns) {
  while (!ns.empty() && std::isspace(static_cast<unsigned char>(ns.front()))) ns.remove_prefix(1);
  while (!ns.empty() && std::isspace(static_cast<unsigned char>(ns.back()))) ns.remove_suffix(1);
  std::string out(ns);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string hsa_key(std::string_view id) {
  while (!id.empty() && std::isspace(static_cast<unsigned char>(id.front()))) id.remove_prefix(1);
  while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.remove_suffix(1);
  return normalise_hsa(id);
}

}  // namespace

// contract key → consumer key → logical-address key → grant; contract key → address key → routes.
struct TakSnapshot::Index {
  struct Grant {
    std::string address;  // as spelled in the export
    std::vector<Validity> windows;
  };
  struct Contract {
    std::unordered_map<std::string, std::unordered_map<std::string, Grant>> permissions;
    std::unordered_map<std::string, std::vector<Route>> routes;  // each list sorted by vagval id
  };
  std::unordered_map<std::string, Contract> contracts;

  [[nodiscard]] const Contract* find(std::string_view contract) const {
    const auto it = contracts.find(contract_key(contract));
    return it == contracts.end() ? nullptr : &it->second;
  }
};

std::string_view to_string(Callability c) noexcept {
  switch (c) {
    case Callability::callable:
      return "callable";
    case Callability::not_authorized:
      return "not_authorized";
    case Callability::no_route:
      return "no_route";
  }
  return "unknown";
}

std::string_view to_string(ExportFormat f) noexcept { return f == ExportFormat::legacy ? "legacy" : "current"; }

TakSnapshot::TakSnapshot() = default;
TakSnapshot::~TakSnapshot() = default;

Expected<std::shared_ptr<const TakSnapshot>> TakSnapshot::parse(std::string_view json_text, UtcTime loaded_at) {
  auto parsed = detail::read_export(json_text);
  if (!parsed) return Unexpected<Error>{parsed.error()};

  auto index = std::make_unique<Index>();
  for (auto& p : parsed->permissions) {
    auto& grant =
        index->contracts[contract_key(p.contract)].permissions[hsa_key(p.consumer)][hsa_key(p.logical_address)];
    if (grant.address.empty()) grant.address = p.logical_address;
    grant.windows.push_back(p.validity);
  }
  for (auto& r : parsed->routes) {
    auto& list = index->contracts[contract_key(r.contract)].routes[hsa_key(r.logical_address)];
    list.push_back(Route{std::move(r.url), std::move(r.rivta_profile), std::move(r.producer),
                         std::move(r.logical_address), r.validity, r.id});
  }
  for (auto& [contract_name, contract] : index->contracts) {
    for (auto& [address, list] : contract.routes) {
      std::sort(list.begin(), list.end(), [](const Route& a, const Route& b) { return a.vagval_id < b.vagval_id; });
    }
  }

  std::shared_ptr<TakSnapshot> snap(new TakSnapshot());
  snap->index_ = std::move(index);
  snap->counts_ = parsed->counts;
  snap->export_time_ = parsed->export_time;
  snap->loaded_at_ = loaded_at;
  snap->format_ = parsed->format;
  return std::shared_ptr<const TakSnapshot>(std::move(snap));
}

bool TakSnapshot::authorized(std::string_view consumer, std::string_view contract, std::string_view logical_address,
                             UtcTime now) const {
  const auto* c = index_->find(contract);
  if (c == nullptr) return false;
  const auto by_consumer = c->permissions.find(hsa_key(consumer));
  if (by_consumer == c->permissions.end()) return false;
  const auto valid_on = [&](const std::string& address_key) {
    const auto g = by_consumer->second.find(address_key);
    if (g == by_consumer->second.end()) return false;
    return std::any_of(g->second.windows.begin(), g->second.windows.end(),
                       [&](const Validity& w) { return w.contains(now); });
  };
  return valid_on(hsa_key(logical_address)) || valid_on(std::string(default_receiver));
}

std::optional<Route> TakSnapshot::route(std::string_view contract, std::string_view logical_address,
                                        UtcTime now) const {
  const auto* c = index_->find(contract);
  if (c == nullptr) return std::nullopt;
  const auto valid_for = [&](const std::string& address_key) -> const Route* {
    const auto it = c->routes.find(address_key);
    if (it == c->routes.end()) return nullptr;
    for (const auto& r : it->second) {
      if (r.validity.contains(now)) return &r;
    }
    return nullptr;
  };
  if (const auto* r = valid_for(hsa_key(logical_address))) return *r;
  if (const auto* r = valid_for(std::string(default_receiver))) return *r;
  return std::nullopt;
}

Callability TakSnapshot::callable(std::string_view consumer, std::string_view contract,
                                  std::string_view logical_address, UtcTime now) const {
  if (!authorized(consumer, contract, logical_address, now)) return Callability::not_authorized;
  if (!route(contract, logical_address, now)) return Callability::no_route;
  return Callability::callable;
}

std::vector<std::string> TakSnapshot::authorized_addresses(std::string_view consumer, std::string_view contract,
                                                           UtcTime now) const {
  std::vector<std::string> out;
  const auto* c = index_->find(contract);
  if (c == nullptr) return out;
  const auto by_consumer = c->permissions.find(hsa_key(consumer));
  if (by_consumer == c->permissions.end()) return out;
  for (const auto& [_, grant] : by_consumer->second) {
    if (std::any_of(grant.windows.begin(), grant.windows.end(), [&](const Validity& w) { return w.contains(now); })) {
      out.push_back(grant.address);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bokade::tak
