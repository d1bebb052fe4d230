#include "bokade/coverage/relations.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include "bokade/core/hsa_id.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::coverage {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

}  // namespace

ParsedRelations parse_relations(std::string_view text) {
  ParsedRelations out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const auto raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++out.lines;
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#') continue;

    std::string person_text, address_text;
    if (line.front() == '{') {
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec);
      const auto* o = (!ec && v.is_object()) ? &v.as_object() : nullptr;
      const auto* p = o ? o->if_contains("personnummer") : nullptr;
      const auto* a = o ? o->if_contains("logicalAddress") : nullptr;
      if (!p || !a || !p->is_string() || !a->is_string()) {
        out.errors.push_back({out.lines, "not a JSON object with string fields personnummer and logicalAddress"});
        continue;
      }
      person_text = std::string(p->as_string());
      address_text = std::string(a->as_string());
    } else {
      const auto sep = line.find_first_of(",;");
      if (sep == std::string_view::npos) {
        out.errors.push_back({out.lines, "expected personnummer,logicalAddress"});
        continue;
      }
      person_text = std::string(trim(line.substr(0, sep)));
      address_text = std::string(trim(line.substr(sep + 1)));
      if (out.relations.empty() && out.errors.empty() && person_text == "personnummer") continue;  // header
    }
    auto person = PersonId::parse(person_text);
    if (!person) {
      out.errors.push_back({out.lines, "person id: " + person.error().message});
      continue;
    }
    auto address = HsaId::parse(address_text);
    if (!address) {
      out.errors.push_back({out.lines, "logical address: " + address.error().message});
      continue;
    }
    out.relations.push_back({person->str(), address->key()});
  }
  return out;
}

void put_relations(store::Batch& batch, const std::vector<Relation>& relations, std::string_view source, UtcTime now) {
  for (const auto& r : relations) {
    std::string value;
    store::append_u64(value, static_cast<std::uint64_t>(now.time_since_epoch().count()));
    value.append(source);
    batch.put(store::Column::relations, r.person + r.logical_address, value);
  }
}

Expected<std::set<std::string>> relations_of(const store::Store& store, const PersonId& person) {
  std::set<std::string> out;
  auto st = store.visit_prefix(store::Column::relations, store::person_key(person), [&](std::string_view k, std::string_view) {
    out.emplace(store::logical_address_of(k));
    return true;
  });
  if (!st) return Unexpected<Error>{st.error()};
  return out;
}

}  // namespace bokade::coverage
