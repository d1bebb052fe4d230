// Reads the TAK export JSON (docs/tak.md).
//
// The export is a set of tables joined by technical ids: anropsbehorighet and vagval point at
// tjanstekontrakt, logiskadress, tjanstekomponent and anropsadress through "relationships". We read the
// small tables into id → value maps first, then resolve every permission and route into a flat record.
// Field names are matched case-insensitively, because the two layouts in use spell the same relationship
// "logiskAdress" and "logiskadress"; the older layout names the consumer "tjanstekonsument".

#include "bokade/core/text.hpp"
#include "export_reader.hpp"

#include <cctype>
#include <initializer_list>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace bokade::tak::detail {
namespace {

namespace json = boost::json;


std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The first member whose key matches one of `names`, case-insensitively.
const json::value* member(const json::object& o, std::initializer_list<std::string_view> names,
                          std::string_view* matched = nullptr) {
  for (const auto name : names) {
    for (const auto& kv : o) {
      if (iequals(kv.key(), name)) {
        if (matched != nullptr) *matched = name;
        return &kv.value();
      }
    }
  }
  return nullptr;
}

// A technical id: a JSON integer, or a string of digits (some exporters quote numbers).
std::optional<std::int64_t> as_id(const json::value& v) {
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* u = v.if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(*u);
    return std::nullopt;
  }
  if (const auto* s = v.if_string()) {
    const auto t = trim(std::string_view(*s));
    if (t.empty() || t.size() > 18) return std::nullopt;
    std::int64_t out = 0;
    for (const char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + (c - '0');
    }
    return out;
  }
  return std::nullopt;
}

// Where an entry is, for error messages: data.vagval[3] (id 4).
struct Where {
  std::string_view section;
  std::size_t index = 0;
  std::optional<std::int64_t> id;
  [[nodiscard]] std::string str() const {
    return id ? fmt::format("data.{}[{}] (id {})", section, index, *id) : fmt::format("data.{}[{}]", section, index);
  }
};

class Reader {
 public:
  explicit Reader(const json::object& data) : data_(data) {}

  Expected<const json::array*> section(std::string_view name) {
    const auto* v = member(data_, {name});
    if (v == nullptr) return fail(fmt::format("TAK export: data.{} is missing", name));
    const auto* a = v->if_array();
    if (a == nullptr) return fail(fmt::format("TAK export: data.{} is not a list", name));
    return a;
  }

  // Visits each entry of a section as (where, object), failing on non-objects and bad or repeated ids.
  template <class F>
  Status each(std::string_view name, F&& visit) {
    auto arr = section(name);
    if (!arr) return Unexpected<Error>{arr.error()};
    std::unordered_map<std::int64_t, std::size_t> seen;
    std::size_t index = 0;
    for (const auto& v : **arr) {
      Where where{name, index++, std::nullopt};
      const auto* o = v.if_object();
      if (o == nullptr) return fail(fmt::format("TAK export: {} is not an object", where.str()));
      const auto* idv = member(*o, {"id"});
      if (idv == nullptr) return fail(fmt::format("TAK export: {} has no id", where.str()));
      const auto id = as_id(*idv);
      if (!id) return fail(fmt::format("TAK export: {} has an id that is not a whole number", where.str()));
      where.id = id;
      if (!seen.emplace(*id, where.index).second) {
        return fail(fmt::format("TAK export: {} repeats the id of data.{}[{}]", where.str(), name, seen[*id]));
      }
      if (auto st = visit(where, *o); !st) return st;
    }
    return {};
  }

  static Expected<std::string> text(const Where& where, const json::object& o,
                                    std::initializer_list<std::string_view> names) {
    const auto* v = member(o, names);
    const auto* s = v != nullptr ? v->if_string() : nullptr;
    const auto t = s != nullptr ? trim(std::string_view(*s)) : std::string_view{};
    if (t.empty()) {
      return fail(fmt::format("TAK export: {} has no {}", where.str(), *names.begin()));
    }
    return std::string(t);
  }

  static Expected<Validity> validity(const Where& where, const json::object& o) {
    Validity out;
    for (auto [name, slot] : {std::pair{"fromTidpunkt", &out.from}, std::pair{"tomTidpunkt", &out.tom}}) {
      auto s = text(where, o, {name});
      if (!s) return Unexpected<Error>{s.error()};
      auto t = parse_tak_time(*s);
      if (!t) return fail(fmt::format("TAK export: {} has {} \"{}\": {}", where.str(), name, *s, t.error().message));
      *slot = *t;
    }
    return out;
  }

  // relationships.<one of names> → the id it holds; `found` tells which spelling was used.
  static Expected<std::int64_t> relation(const Where& where, const json::object& o,
                                         std::initializer_list<std::string_view> names,
                                         std::string_view* found = nullptr) {
    const auto* rv = member(o, {"relationships"});
    const auto* rel = rv != nullptr ? rv->if_object() : nullptr;
    if (rel == nullptr) return fail(fmt::format("TAK export: {} has no relationships", where.str()));
    const auto* v = member(*rel, names, found);
    if (v == nullptr) return fail(fmt::format("TAK export: {} has no relationships.{}", where.str(), *names.begin()));
    const auto id = as_id(*v);
    if (!id)
      return fail(fmt::format("TAK export: {} has relationships.{} that is not an id", where.str(), *names.begin()));
    return *id;
  }

  // Looks an id up in a table read earlier, with an error that says which reference dangles.
  template <class T>
  static Expected<const T*> resolve(const Where& where, const std::unordered_map<std::int64_t, T>& table,
                                    std::string_view table_name, std::int64_t id) {
    const auto it = table.find(id);
    if (it == table.end()) {
      return fail(fmt::format("TAK export: {} refers to {} id {}, which the export does not have", where.str(),
                              table_name, id));
    }
    return &it->second;
  }

 private:
  const json::object& data_;
};

// id → a single text field (namn, namnrymd, hsaId).
Status read_names(Reader& r, std::string_view section, std::string_view field,
                  std::unordered_map<std::int64_t, std::string>& out) {
  return r.each(section, [&](const Where& where, const json::object& o) -> Status {
    auto v = Reader::text(where, o, {field});
    if (!v) return Unexpected<Error>{v.error()};
    out.emplace(*where.id, std::move(*v));
    return {};
  });
}

struct CallAddress {
  std::string url;
  std::string rivta_profile;
  std::string producer;
};

}  // namespace

Expected<ParsedExport> read_export(std::string_view json_text) {
  json::monotonic_resource arena;
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec, &arena);
  if (ec) return fail(fmt::format("TAK export is not valid JSON: {}", ec.message()));
  const auto* top = root.if_object();
  if (top == nullptr) return fail("TAK export: the document is not a JSON object");
  const auto* datav = member(*top, {"data"});
  const auto* data = datav != nullptr ? datav->if_object() : nullptr;
  if (data == nullptr) return fail("TAK export: \"data\" is missing or not an object");

  ParsedExport out;
  if (const auto* tp = member(*top, {"tidpunkt"}); tp != nullptr && tp->is_string()) {
    // Metadata only: an unreadable tidpunkt leaves export_time empty rather than rejecting the whole TAK.
    if (auto t = parse_tak_time(std::string_view(tp->get_string()))) out.export_time = *t;
  }

  Reader r(*data);
  std::unordered_map<std::int64_t, std::string> profiles, contracts, addresses, components;
  if (auto st = read_names(r, "rivtaprofil", "namn", profiles); !st) return Unexpected<Error>{st.error()};
  if (auto st = read_names(r, "tjanstekontrakt", "namnrymd", contracts); !st) return Unexpected<Error>{st.error()};
  if (auto st = read_names(r, "logiskadress", "hsaId", addresses); !st) return Unexpected<Error>{st.error()};
  if (auto st = read_names(r, "tjanstekomponent", "hsaId", components); !st) return Unexpected<Error>{st.error()};

  std::unordered_map<std::int64_t, CallAddress> call_addresses;
  auto st = r.each("anropsadress", [&](const Where& w, const json::object& o) -> Status {
    auto url = Reader::text(w, o, {"adress"});
    if (!url) return Unexpected<Error>{url.error()};
    auto profile_id = Reader::relation(w, o, {"rivtaprofil"});
    if (!profile_id) return Unexpected<Error>{profile_id.error()};
    auto profile = Reader::resolve(w, profiles, "rivtaprofil", *profile_id);
    if (!profile) return Unexpected<Error>{profile.error()};
    auto producer_id = Reader::relation(w, o, {"tjanstekomponent"});
    if (!producer_id) return Unexpected<Error>{producer_id.error()};
    auto producer = Reader::resolve(w, components, "tjanstekomponent", *producer_id);
    if (!producer) return Unexpected<Error>{producer.error()};
    call_addresses.emplace(*w.id, CallAddress{std::move(*url), **profile, **producer});
    return {};
  });
  if (!st) return Unexpected<Error>{st.error()};

  bool saw_current = false;
  bool saw_legacy = false;
  st = r.each("anropsbehorighet", [&](const Where& w, const json::object& o) -> Status {
    ExportPermission p;
    p.id = *w.id;
    auto validity = Reader::validity(w, o);
    if (!validity) return Unexpected<Error>{validity.error()};
    p.validity = *validity;
    std::string_view spelling;
    auto consumer_id = Reader::relation(w, o, {"tjanstekomponent", "tjanstekonsument"}, &spelling);
    if (!consumer_id) return Unexpected<Error>{consumer_id.error()};
    (spelling == "tjanstekonsument" ? saw_legacy : saw_current) = true;
    auto consumer = Reader::resolve(w, components, "tjanstekomponent", *consumer_id);
    if (!consumer) return Unexpected<Error>{consumer.error()};
    auto contract_id = Reader::relation(w, o, {"tjanstekontrakt"});
    if (!contract_id) return Unexpected<Error>{contract_id.error()};
    auto contract = Reader::resolve(w, contracts, "tjanstekontrakt", *contract_id);
    if (!contract) return Unexpected<Error>{contract.error()};
    auto address_id = Reader::relation(w, o, {"logiskAdress"});
    if (!address_id) return Unexpected<Error>{address_id.error()};
    auto address = Reader::resolve(w, addresses, "logiskadress", *address_id);
    if (!address) return Unexpected<Error>{address.error()};
    p.consumer = **consumer;
    p.contract = **contract;
    p.logical_address = **address;
    out.permissions.push_back(std::move(p));
    return {};
  });
  if (!st) return Unexpected<Error>{st.error()};

  st = r.each("vagval", [&](const Where& w, const json::object& o) -> Status {
    ExportRoute route;
    route.id = *w.id;
    auto validity = Reader::validity(w, o);
    if (!validity) return Unexpected<Error>{validity.error()};
    route.validity = *validity;
    auto call_id = Reader::relation(w, o, {"anropsadress"});
    if (!call_id) return Unexpected<Error>{call_id.error()};
    auto call = Reader::resolve(w, call_addresses, "anropsadress", *call_id);
    if (!call) return Unexpected<Error>{call.error()};
    auto contract_id = Reader::relation(w, o, {"tjanstekontrakt"});
    if (!contract_id) return Unexpected<Error>{contract_id.error()};
    auto contract = Reader::resolve(w, contracts, "tjanstekontrakt", *contract_id);
    if (!contract) return Unexpected<Error>{contract.error()};
    auto address_id = Reader::relation(w, o, {"logiskadress"});
    if (!address_id) return Unexpected<Error>{address_id.error()};
    auto address = Reader::resolve(w, addresses, "logiskadress", *address_id);
    if (!address) return Unexpected<Error>{address.error()};
    route.contract = **contract;
    route.logical_address = **address;
    route.url = (*call)->url;
    route.rivta_profile = (*call)->rivta_profile;
    route.producer = (*call)->producer;
    out.routes.push_back(std::move(route));
    return {};
  });
  if (!st) return Unexpected<Error>{st.error()};

  out.format = saw_legacy && !saw_current ? ExportFormat::legacy : ExportFormat::current;
  out.counts.permissions = out.permissions.size();
  out.counts.routes = out.routes.size();
  out.counts.logical_addresses = addresses.size();
  out.counts.contracts = contracts.size();
  out.counts.components = components.size();
  out.counts.call_addresses = call_addresses.size();
  return out;
}

}  // namespace bokade::tak::detail
