// A broken export is an error value that names what is wrong — never an exception, never a half index.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "bokade/tak/tak_snapshot.hpp"
#include "tak_test_support.hpp"

using namespace bokade;
using namespace bokade::tak;

namespace {

// The error for `text`, which must fail.
std::string error_for(std::string_view text) {
  auto snap = TakSnapshot::parse(text, test::at("2026-01-01T00:00:00Z"));
  REQUIRE_FALSE(snap.has_value());
  return snap.error().message;
}

// export.json with one change applied to its "data" object.
template <class F>
std::string edited(F&& edit) {
  auto doc = boost::json::parse(test::current_export());
  edit(doc.as_object()["data"].as_object());
  return boost::json::serialize(doc);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("not JSON, not an object, no data") {
  CHECK(contains(error_for(""), "not valid JSON"));
  CHECK(contains(error_for("{\"data\": {"), "not valid JSON"));
  const auto full = test::current_export();
  CHECK(contains(error_for(std::string_view(full).substr(0, full.size() / 2)), "not valid JSON"));  // truncated
  CHECK(contains(error_for("[1,2,3]"), "not a JSON object"));
  CHECK(contains(error_for(R"({"formatVersion":"1"})"), "\"data\" is missing"));
  CHECK(contains(error_for(R"({"data":[]})"), "\"data\" is missing or not an object"));
}

TEST_CASE("a missing or mistyped section is named") {
  for (const auto* section : {"rivtaprofil", "tjanstekontrakt", "logiskadress", "tjanstekomponent", "anropsadress",
                              "anropsbehorighet", "vagval"}) {
    CAPTURE(section);
    CHECK(contains(error_for(edited([&](auto& data) { data.erase(section); })),
                   std::string("data.") + section + " is missing"));
    CHECK(contains(error_for(edited([&](auto& data) { data[section] = "none"; })),
                   std::string("data.") + section + " is not a list"));
  }
  // Sections bokade does not use may go.
  auto without_filters = TakSnapshot::parse(edited([](auto& data) {
                                              data.erase("filter");
                                              data.erase("filtercategorization");
                                            }),
                                            test::at("2026-01-01T00:00:00Z"));
  CHECK(without_filters.has_value());
}

TEST_CASE("a broken entry is named by section, position and id") {
  CHECK(contains(error_for(edited([](auto& data) { data["vagval"].as_array()[2] = 7; })),
                 "data.vagval[2] is not an object"));
  CHECK(contains(error_for(edited([](auto& data) { data["vagval"].as_array()[2].as_object().erase("id"); })),
                 "data.vagval[2] has no id"));
  CHECK(contains(error_for(edited([](auto& data) { data["vagval"].as_array()[2].as_object()["id"] = "three"; })),
                 "data.vagval[2] has an id that is not a whole number"));
  CHECK(contains(error_for(edited([](auto& data) { data["logiskadress"].as_array()[1].as_object()["id"] = 1; })),
                 "data.logiskadress[1] (id 1) repeats the id of data.logiskadress[0]"));
  CHECK(contains(error_for(edited([](auto& data) { data["logiskadress"].as_array()[0].as_object()["hsaId"] = " "; })),
                 "data.logiskadress[0] (id 1) has no hsaId"));
  CHECK(contains(
      error_for(edited([](auto& data) { data["anropsbehorighet"].as_array()[0].as_object().erase("tomTidpunkt"); })),
      "data.anropsbehorighet[0] (id 1) has no tomTidpunkt"));
  CHECK(contains(
      error_for(edited([](auto& data) { data["vagval"].as_array()[1].as_object()["fromTidpunkt"] = "24/12/2010"; })),
      "data.vagval[1] (id 2) has fromTidpunkt \"24/12/2010\": not a TAK time"));
  CHECK(contains(error_for(edited([](auto& data) {
                   data["vagval"].as_array()[0].as_object()["relationships"].as_object().erase("anropsadress");
                 })),
                 "data.vagval[0] (id 1) has no relationships.anropsadress"));
  CHECK(contains(error_for(edited([](auto& data) {
                   data["anropsbehorighet"].as_array()[3].as_object()["relationships"].as_object()["tjanstekontrakt"] =
                       404;
                 })),
                 "data.anropsbehorighet[3] (id 4) refers to tjanstekontrakt id 404, which the export does not have"));
  CHECK(contains(error_for(edited([](auto& data) {
                   data["anropsadress"].as_array()[0].as_object()["relationships"].as_object()["rivtaprofil"] = 9;
                 })),
                 "data.anropsadress[0] (id 1) refers to rivtaprofil id 9"));
}

TEST_CASE("leniency: unknown fields, quoted ids and an unreadable header time are accepted") {
  const auto text = edited([](auto& data) {
    data["somethingNew"] = boost::json::array{1, 2};
    auto& first = data["anropsbehorighet"].as_array()[0].as_object();
    first["extra"] = "ignored";
    first["relationships"].as_object()["logiskAdress"] = "1";
  });
  auto doc = boost::json::parse(text);
  doc.as_object()["tidpunkt"] = "sometime";
  auto snap = TakSnapshot::parse(boost::json::serialize(doc), test::at("2026-01-01T00:00:00Z"));
  REQUIRE_MESSAGE(snap.has_value(), (snap ? "" : snap.error().message));
  CHECK_FALSE((*snap)->export_time().has_value());
  CHECK(
      (*snap)->authorized("tp", get_subject_of_care_schedule_contract, "HSA-VKK123", test::at("2020-01-01T00:00:00Z")));
}
