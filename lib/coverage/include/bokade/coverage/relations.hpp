#pragma once
// Legacy clinic relations ("mottagningsrelation"): the clinics a citizen has a relation with in 1177,
// which today's view asks. Stored in the relations column family as person · logical address.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/expected.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/store/store.hpp"

namespace bokade::coverage {

struct Relation {
  std::string person;           // canonical id
  std::string logical_address;  // normalised
};

struct RelationParseError {
  std::size_t line = 0;
  std::string reason;  // never holds the person id
};

struct ParsedRelations {
  std::vector<Relation> relations;
  std::vector<RelationParseError> errors;
  std::size_t lines = 0;
};

// Reads relations from text: CSV with a "personnummer,logicalAddress" header (the header is optional;
// ';' works too), or JSON lines {"personnummer":"…","logicalAddress":"…"}. Blank lines and lines starting
// with '#' are skipped. Unusable lines are reported with their line number and reason, and left out.
ParsedRelations parse_relations(std::string_view text);

// Adds the relations to `batch` (value: source name and the time of import).
void put_relations(store::Batch& batch, const std::vector<Relation>& relations, std::string_view source, UtcTime now);

// The normalised logical addresses a person has relations with.
Expected<std::set<std::string>> relations_of(const store::Store& store, const PersonId& person);

}  // namespace bokade::coverage
