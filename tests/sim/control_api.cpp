// The control API (JSON over HTTP under /control/): what tests and the demo use to look into and steer
// the simulated world.
//
//   GET    /control                                     this list
//   GET    /control/world                               regions, systems, clinics (with TAK state)
//   GET    /control/systems                             systems with their port, URL and behaviour
//   PUT    /control/systems/{id}                        {"mode":"timeout","latency":"lognormal:20ms:400ms","error_rate":0.1}
//                                                       (any subset; id "*" = every system)
//   GET    /control/persons?limit=N&offset=M&with_bookings=true
//   GET    /control/persons/{id}/truth                  bookings, which are indexed, which path finds them
//   POST   /control/persons/{id}/bookings               {"clinic":HSA,"start":"YYYYMMDDhhmmss","minutes":30,
//                                                        "time_type":"BES","invitation":false,"indexed":true}
//   DELETE /control/persons/{id}/bookings/{bookingId}   cancel
//   POST   /control/persons/{id}/bookings/{bookingId}/reschedule  {"start":"YYYYMMDDhhmmss","minutes":45}
//   GET    /control/calls                               call counters per logical address (vp, producer,
//                                                       denied, without_actor: VP calls whose Actor header
//                                                       did not name the subject of care)
//   GET    /control/calls/{logicalAddress}
//   POST   /control/calls/reset
//   GET    /control/coverage?limit=N                    per region and system: what each path finds
//   POST   /control/ei/replay                           push the whole index to the subscriber
//   GET    /control/ei/stats
//   PUT    /control/ei/habits                           {"duplicates":0.1,"reorder":0.2,"phantom_deletes":0.5,"unchanged":0.5}
//   GET    /control/agp                                 the AGP fixture (--agp-fixture): addresses, test persons,
//                                                       engagements, special answers, the reference's counts
// With --agp-fixture the AGP test persons follow the generated ones in /control/persons (with
// "agp_test_case"), and their truth carries "agp" and, per booking, "producer_answer".
// Booking, cancelling and rescheduling an indexed booking push the matching ProcessNotification
// transaction (update, delete, update) to the subscriber.

#include <chrono>

#include <boost/json.hpp>

#include "agp_fixture.hpp"
#include "simulator.hpp"

namespace bokade::sim {
namespace asio = boost::asio;
namespace json = boost::json;
using net::HttpRequest;
using net::HttpResponse;

namespace {

HttpResponse json_response(unsigned status, const json::value& v) { return HttpResponse::json(status, json::serialize(v)); }
HttpResponse problem(unsigned status, std::string_view detail) {
  return HttpResponse::problem(status, net::reason_phrase(status), detail);
}

UtcTime now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

json::object clinic_json(const World& w, std::size_t i) {
  const auto& c = w.clinics()[i];
  json::object o;
  o["hsa_id"] = c.hsa_id;
  o["name"] = c.name;
  o["system"] = w.systems()[c.system].id;
  o["region"] = w.region_of_clinic(i).name;
  o["care_unit"] = c.parent ? json::value(w.clinics()[*c.parent].hsa_id) : json::value(nullptr);
  json::array children;
  for (auto ch : c.children) children.push_back(json::value(w.clinics()[ch].hsa_id));
  o["children"] = std::move(children);
  o["confidential"] = c.confidential;
  o["tak"] = to_string(c.permission);
  return o;
}

json::object system_json(Simulator& sim, std::size_t i) {
  const auto& s = sim.world.systems()[i];
  const Behaviour b = sim.behaviours.get(i);
  json::object o;
  o["id"] = s.id;
  o["product"] = s.product;
  o["region"] = sim.world.regions()[s.region].name;
  o["index_share"] = sim.world.index_share(s);
  o["index_at_care_unit"] = s.index_at_parent;
  o["clinics"] = s.clinics.size();
  o["port"] = sim.listeners[i]->port();
  o["url"] = sim.producer_urls()[i];
  o["listening"] = sim.listeners[i]->is_open();
  o["mode"] = to_string(b.mode);
  o["latency"] = b.latency.describe();
  o["error_rate"] = b.error_rate;
  return o;
}

struct BookingView {
  std::vector<std::size_t> answering;
  std::vector<std::size_t> authorized;
  std::vector<std::size_t> legacy;  // relation addresses that answer for it and may be called
  std::size_t engagement_clinic = 0;
  bool ei_path = false;
  bool legacy_path = false;
};

BookingView view(const Simulator& sim, const Person& p, const Booking& b) {
  BookingView v;
  v.answering = sim.world.answering_addresses(b.clinic);
  // An AGP test system that answers this person with nothing, an error or not at all
  // (agp_fixture.hpp) does not answer with the booking, whatever EI says.
  std::erase_if(v.answering, [&](std::size_t a) {
    return sim.world.is_agp_clinic(a) &&
           agp::producer_answer(sim.world.clinics()[a].hsa_id, p.id) != agp::ProducerAnswer::bookings;
  });
  for (auto a : v.answering) {
    if (sim.tak.may_call_schedule(sim.tak.consumer(), a)) v.authorized.push_back(a);
  }
  v.engagement_clinic = sim.ledger.engagement_clinic(b);
  v.ei_path = b.indexed && sim.tak.may_call_schedule(sim.tak.consumer(), v.engagement_clinic) &&
              std::find(v.answering.begin(), v.answering.end(), v.engagement_clinic) != v.answering.end();
  for (auto r : p.relations) {
    if (std::find(v.authorized.begin(), v.authorized.end(), r) != v.authorized.end()) v.legacy.push_back(r);
  }
  v.legacy_path = !v.legacy.empty();
  return v;
}

json::array hsa_list(const World& w, const std::vector<std::size_t>& clinics) {
  json::array a;
  for (auto c : clinics) a.push_back(json::value(w.clinics()[c].hsa_id));
  return a;
}

json::object reference_json(const agp::ReferenceAnswer& r) {
  return json::object{{"processing_status", r.processing_status}, {"timeslots", r.timeslots}, {"errors", r.errors}};
}

// A test person of the AGP fixture as the reference's test data describes it.
json::object agp_person_json(const agp::TestPerson& t) {
  json::object o;
  o["person"] = t.id;
  o["name"] = t.name;
  o["test_case"] = t.test_case;
  o["description"] = t.description;
  json::array engagements;
  for (const auto& e : t.engagements) {
    engagements.push_back(json::object{{"logical_address", e.logical_address},
                                       {"booking_id", e.booking_id},
                                       {"producer_answer", agp::to_string(agp::producer_answer(e.logical_address, t.id))}});
  }
  o["engagements"] = std::move(engagements);
  o["reference"] = reference_json(t.reference);
  return o;
}

json::object truth_json(Simulator& sim, const Person& p) {
  const World& w = sim.world;
  json::object o;
  o["person"] = p.id;
  o["kind"] = p.samordningsnummer ? "samordningsnummer" : "personnummer";
  o["region"] = w.regions()[p.region].name;
  json::array bookings;
  std::vector<std::size_t> ei_addresses;
  for (const auto& b : p.bookings) {
    const BookingView v = view(sim, p, b);
    const auto& c = w.clinics()[b.clinic];
    const auto& type = World::time_types()[b.time_type];
    json::object j;
    j["booking_id"] = b.id;
    j["clinic"] = c.hsa_id;
    j["clinic_name"] = c.name;
    j["care_unit"] = c.parent ? json::value(w.clinics()[*c.parent].hsa_id) : json::value(nullptr);
    j["system"] = w.systems()[c.system].id;
    j["product"] = w.systems()[c.system].product;
    j["region"] = w.region_of_clinic(b.clinic).name;
    j["start"] = format_rivta_time(b.start);
    j["end"] = format_rivta_time(b.end);
    j["start_utc"] = format_iso_utc(b.start);
    j["time_type_id"] = type.id;
    j["time_type"] = type.name;
    j["hidden"] = type.hidden;
    j["confidential"] = c.confidential;
    j["invitation"] = b.invitation;
    j["indexed"] = b.indexed;
    j["engagement_logical_address"] = w.clinics()[v.engagement_clinic].hsa_id;
    j["answering_addresses"] = hsa_list(w, v.answering);
    j["authorized_addresses"] = hsa_list(w, v.authorized);
    j["legacy_addresses"] = hsa_list(w, v.legacy);
    j["ei_path"] = v.ei_path;
    j["legacy_path"] = v.legacy_path;
    if (w.is_agp_clinic(b.clinic)) j["producer_answer"] = agp::to_string(agp::producer_answer(c.hsa_id, p.id));
    if (b.indexed) ei_addresses.push_back(v.engagement_clinic);
    bookings.push_back(std::move(j));
  }
  o["bookings"] = std::move(bookings);
  std::sort(ei_addresses.begin(), ei_addresses.end());
  ei_addresses.erase(std::unique(ei_addresses.begin(), ei_addresses.end()), ei_addresses.end());
  o["engagement_addresses"] = hsa_list(w, ei_addresses);
  json::array relations;
  for (auto r : p.relations) {
    json::object j;
    j["logical_address"] = w.clinics()[r].hsa_id;
    j["name"] = w.clinics()[r].name;
    j["authorized"] = sim.tak.may_call_schedule(sim.tak.consumer(), r);
    relations.push_back(std::move(j));
  }
  o["relations"] = std::move(relations);
  if (const auto* t = sim.ledger.is_test_person(p.index) ? agp::find_test_person(p.id) : nullptr) o["agp"] = agp_person_json(*t);
  return o;
}

json::object booking_json(Simulator& sim, const Person& p, const Booking& b) {
  const auto& w = sim.world;
  json::object o;
  o["booking_id"] = b.id;
  o["clinic"] = w.clinics()[b.clinic].hsa_id;
  o["start"] = format_rivta_time(b.start);
  o["end"] = format_rivta_time(b.end);
  o["indexed"] = b.indexed;
  o["engagement_logical_address"] = w.clinics()[sim.ledger.engagement_clinic(b)].hsa_id;
  o["person"] = p.id;
  return o;
}

Expected<json::object> body_object(const HttpRequest& r) {
  if (r.body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return fail("the body must be a JSON object");
  return v.as_object();
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_string()) return std::string(v->as_string());
  return std::nullopt;
}

std::optional<double> number_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_number()) return v->to_number<double>();
  return std::nullopt;
}

struct Accumulator {
  std::uint64_t bookings = 0, indexed = 0, ei_path = 0, legacy_path = 0, both = 0, legacy_only = 0, ei_only = 0,
                neither = 0, hidden = 0, confidential = 0;
  void add(const BookingView& v, bool indexed_flag, bool hidden_flag, bool confidential_flag) {
    ++bookings;
    indexed += indexed_flag;
    ei_path += v.ei_path;
    legacy_path += v.legacy_path;
    both += v.ei_path && v.legacy_path;
    legacy_only += !v.ei_path && v.legacy_path;
    ei_only += v.ei_path && !v.legacy_path;
    neither += !v.ei_path && !v.legacy_path;
    hidden += hidden_flag;
    confidential += confidential_flag;
  }
  json::object to_json() const {
    json::object o;
    o["bookings"] = bookings;
    o["indexed"] = indexed;
    o["ei_path"] = ei_path;
    o["legacy_path"] = legacy_path;
    o["both"] = both;
    o["legacy_only"] = legacy_only;
    o["ei_only"] = ei_only;
    o["neither"] = neither;
    o["hidden"] = hidden;
    o["confidential"] = confidential;
    o["index_share"] = bookings ? static_cast<double>(indexed) / static_cast<double>(bookings) : 0.0;
    // täckningsgrad: of what the legacy path finds, the share the EI path also finds
    o["coverage"] = legacy_path ? static_cast<double>(both) / static_cast<double>(legacy_path) : 1.0;
    return o;
  }
};

std::size_t size_param(const HttpRequest& r, std::string_view name, std::size_t fallback) {
  const auto v = r.query_param(name);
  if (!v) return fallback;
  try {
    return static_cast<std::size_t>(std::stoull(*v));
  } catch (...) {
    return fallback;
  }
}

}  // namespace

void add_control_routes(net::Router& router, Simulator& sim) {
  using Awaitable = asio::awaitable<HttpResponse>;

  router.add("GET", "/control", "control_index", [](const HttpRequest&) -> Awaitable {
    json::array paths;
    for (const char* p : {"GET /control/world", "GET /control/systems", "PUT /control/systems/{id}",
                          "GET /control/persons?limit=N&offset=M&with_bookings=true", "GET /control/persons/{id}/truth",
                          "POST /control/persons/{id}/bookings", "DELETE /control/persons/{id}/bookings/{bookingId}",
                          "POST /control/persons/{id}/bookings/{bookingId}/reschedule", "GET /control/calls",
                          "GET /control/calls/{logicalAddress}", "POST /control/calls/reset", "GET /control/coverage",
                          "POST /control/ei/replay", "GET /control/ei/stats", "PUT /control/ei/habits",
                          "GET /control/agp"}) {
      paths.push_back(json::value(p));
    }
    co_return json_response(200, json::object{{"endpoints", std::move(paths)}});
  });

  router.add("GET", "/control/world", "control_world", [&sim](const HttpRequest&) -> Awaitable {
    const World& w = sim.world;
    json::object o;
    o["seed"] = w.options().seed;
    o["persons"] = w.options().persons;
    o["agp_fixture"] = w.options().agp_fixture;
    o["epoch"] = format_rivta_time(w.epoch_start()).substr(0, 8);
    o["consumer"] = sim.tak.consumer();
    o["ei_logical_address"] = sim.tak.ei_logical_address();
    json::array regions, systems, clinics;
    for (const auto& r : w.regions()) {
      json::object j;
      j["name"] = r.name;
      j["organisation_number"] = r.organisation_number;
      j["hsa_prefix"] = r.hsa_prefix;
      j["index_share"] = r.index_share;
      regions.push_back(std::move(j));
    }
    for (std::size_t i = 0; i < w.systems().size(); ++i) systems.push_back(system_json(sim, i));
    for (std::size_t i = 0; i < w.clinics().size(); ++i) clinics.push_back(clinic_json(w, i));
    o["regions"] = std::move(regions);
    o["systems"] = std::move(systems);
    o["clinics"] = std::move(clinics);
    co_return json_response(200, o);
  });

  router.add("GET", "/control/systems", "control_systems", [&sim](const HttpRequest&) -> Awaitable {
    json::array systems;
    for (std::size_t i = 0; i < sim.world.systems().size(); ++i) systems.push_back(system_json(sim, i));
    co_return json_response(200, json::object{{"systems", std::move(systems)}});
  });

  router.add("PUT", "/control/systems/{id}", "control_system_set", [&sim](const HttpRequest& r) -> Awaitable {
    auto body = body_object(r);
    if (!body) co_return problem(400, body.error().message);
    std::vector<std::size_t> targets;
    if (r.params[0] == "*") {
      for (std::size_t i = 0; i < sim.world.systems().size(); ++i) targets.push_back(i);
    } else if (auto s = sim.world.find_system(r.params[0])) {
      targets.push_back(*s);
    } else {
      co_return problem(404, "no booking system with that id");
    }
    std::optional<FaultMode> mode;
    std::optional<Latency> latency;
    const auto error_rate = number_field(*body, "error_rate");
    if (auto m = string_field(*body, "mode")) {
      auto parsed = parse_fault_mode(*m);
      if (!parsed) co_return problem(400, parsed.error().message);
      mode = *parsed;
    }
    if (auto l = string_field(*body, "latency")) {
      auto parsed = parse_latency(*l);
      if (!parsed) co_return problem(400, parsed.error().message);
      latency = *parsed;
    }
    if (error_rate && (*error_rate < 0 || *error_rate > 1)) co_return problem(400, "error_rate must be between 0 and 1");
    json::array out;
    for (auto i : targets) {
      Behaviour b = sim.behaviours.get(i);
      if (mode) b.mode = *mode;
      if (latency) b.latency = *latency;
      if (error_rate) b.error_rate = *error_rate;
      if (auto s = co_await sim.apply(i, b); !s) co_return problem(500, s.error().message);
      out.push_back(system_json(sim, i));
    }
    co_return json_response(200, json::object{{"systems", std::move(out)}});
  });

  router.add("GET", "/control/persons", "control_persons", [&sim](const HttpRequest& r) -> Awaitable {
    const std::size_t limit = std::min<std::size_t>(size_param(r, "limit", 20), 10'000);
    const std::size_t offset = size_param(r, "offset", 0);
    const bool with_bookings = r.query_param("with_bookings").value_or("false") == "true";
    json::array persons;
    const std::size_t n = sim.ledger.person_count();  // the AGP test persons come last
    for (std::size_t i = offset; i < n && persons.size() < limit; ++i) {
      const Person p = sim.ledger.person(i);
      if (with_bookings && p.bookings.empty()) continue;
      std::size_t indexed = 0;
      for (const auto& b : p.bookings) indexed += b.indexed;
      json::object j;
      j["id"] = p.id;
      j["index"] = i;
      j["kind"] = p.samordningsnummer ? "samordningsnummer" : "personnummer";
      j["region"] = sim.world.regions()[p.region].name;
      j["bookings"] = p.bookings.size();
      j["indexed"] = indexed;
      j["relations"] = hsa_list(sim.world, p.relations);
      if (sim.ledger.is_test_person(i)) {
        if (const auto* t = agp::find_test_person(p.id)) j["agp_test_case"] = t->test_case;
      }
      persons.push_back(std::move(j));
    }
    co_return json_response(200, json::object{{"persons", std::move(persons)}, {"total", n}});
  });

  router.add("GET", "/control/persons/{id}/truth", "control_truth", [&sim](const HttpRequest& r) -> Awaitable {
    const auto index = sim.ledger.find(r.params[0]);
    if (!index) co_return problem(404, "no such person in this world");
    co_return json_response(200, truth_json(sim, sim.ledger.person(*index)));
  });

  router.add("POST", "/control/persons/{id}/bookings", "control_book", [&sim](const HttpRequest& r) -> Awaitable {
    const auto index = sim.ledger.find(r.params[0]);
    if (!index) co_return problem(404, "no such person in this world");
    auto body = body_object(r);
    if (!body) co_return problem(400, body.error().message);
    BookSpec spec;
    const auto clinic = string_field(*body, "clinic");
    const auto found = clinic ? sim.world.find_clinic(*clinic) : std::nullopt;
    if (!found) co_return problem(400, "\"clinic\" must be the HSA-id of a clinic of this world");
    spec.clinic = *found;
    if (auto s = string_field(*body, "start")) {
      auto t = parse_rivta_time(*s);
      if (!t) co_return problem(400, "start: " + t.error().message);
      spec.start = *t;
    } else {
      spec.start = sim.world.epoch_start() + std::chrono::hours(24 * 7 + 10);
    }
    if (auto m = number_field(*body, "minutes")) spec.length = std::chrono::minutes(static_cast<int>(*m));
    if (auto t = string_field(*body, "time_type")) {
      const auto& types = World::time_types();
      const auto it = std::find_if(types.begin(), types.end(), [&](const TimeType& x) { return x.id == *t || x.name == *t; });
      if (it == types.end()) co_return problem(400, "unknown time_type");
      spec.time_type = static_cast<std::size_t>(it - types.begin());
    }
    if (const auto* v = body->if_contains("invitation"); v && v->is_bool()) spec.invitation = v->as_bool();
    if (const auto* v = body->if_contains("indexed"); v && v->is_bool()) spec.indexed = v->as_bool();
    auto booking = sim.ledger.book(*index, spec, now());
    if (!booking) co_return problem(400, booking.error().message);
    const Person p = sim.ledger.person(*index);
    if (booking->indexed) sim.push.enqueue({false, sim.ledger.engagement(p, *booking)});
    co_return json_response(201, booking_json(sim, p, *booking));
  });

  router.add("DELETE", "/control/persons/{id}/bookings/{booking}", "control_cancel", [&sim](const HttpRequest& r) -> Awaitable {
    const auto index = sim.ledger.find(r.params[0]);
    if (!index) co_return problem(404, "no such person in this world");
    auto booking = sim.ledger.cancel(*index, r.params[1]);
    if (!booking) co_return problem(404, booking.error().message);
    const Person p = sim.ledger.person(*index);
    if (booking->indexed) sim.push.enqueue({true, sim.ledger.engagement(p, *booking)});
    co_return json_response(200, booking_json(sim, p, *booking));
  });

  router.add("POST", "/control/persons/{id}/bookings/{booking}/reschedule", "control_reschedule",
             [&sim](const HttpRequest& r) -> Awaitable {
               const auto index = sim.ledger.find(r.params[0]);
               if (!index) co_return problem(404, "no such person in this world");
               auto body = body_object(r);
               if (!body) co_return problem(400, body.error().message);
               const auto start_text = string_field(*body, "start");
               if (!start_text) co_return problem(400, "\"start\" (YYYYMMDDhhmmss) is required");
               auto start = parse_rivta_time(*start_text);
               if (!start) co_return problem(400, "start: " + start.error().message);
               std::optional<std::chrono::minutes> length;
               if (auto m = number_field(*body, "minutes")) length = std::chrono::minutes(static_cast<int>(*m));
               auto moved = sim.ledger.reschedule(*index, r.params[1], *start, length, now());
               if (!moved) co_return problem(404, moved.error().message);
               const Person p = sim.ledger.person(*index);
               if (moved->second.indexed) sim.push.enqueue({false, sim.ledger.engagement(p, moved->second)});
               co_return json_response(200, booking_json(sim, p, moved->second));
             });

  auto calls_json = [](const AddressCalls& c) {
    return json::object{{"vp", c.vp}, {"producer", c.producer}, {"denied", c.denied}, {"without_actor", c.without_actor}};
  };
  router.add("GET", "/control/calls", "control_calls", [&sim, calls_json](const HttpRequest&) -> Awaitable {
    json::object addresses;
    for (const auto& [la, c] : sim.counters.snapshot()) addresses[la] = calls_json(c);
    co_return json_response(200, json::object{{"addresses", std::move(addresses)},
                                              {"find_content", sim.counters.find_content_calls()}});
  });
  router.add("GET", "/control/calls/{la}", "control_calls_one", [&sim, calls_json](const HttpRequest& r) -> Awaitable {
    auto o = calls_json(sim.counters.of(r.params[0]));
    o["logical_address"] = r.params[0];
    co_return json_response(200, o);
  });
  router.add("POST", "/control/calls/reset", "control_calls_reset", [&sim](const HttpRequest&) -> Awaitable {
    sim.counters.reset();
    co_return json_response(200, json::object{{"reset", true}});
  });

  router.add("GET", "/control/coverage", "control_coverage", [&sim](const HttpRequest& r) -> Awaitable {
    const World& w = sim.world;
    const std::size_t n = std::min(size_param(r, "limit", sim.ledger.person_count()), sim.ledger.person_count());
    std::vector<Accumulator> regions(w.regions().size()), systems(w.systems().size());
    Accumulator total;
    for (std::size_t i = 0; i < n; ++i) {
      const Person p = sim.ledger.person(i);
      for (const auto& b : p.bookings) {
        const BookingView v = view(sim, p, b);
        const auto& c = w.clinics()[b.clinic];
        const bool hidden = World::time_types()[b.time_type].hidden;
        regions[w.systems()[c.system].region].add(v, b.indexed, hidden, c.confidential);
        systems[c.system].add(v, b.indexed, hidden, c.confidential);
        total.add(v, b.indexed, hidden, c.confidential);
      }
    }
    json::array rj, sj;
    for (std::size_t i = 0; i < regions.size(); ++i) {
      auto o = regions[i].to_json();
      o["region"] = w.regions()[i].name;
      o["configured_index_share"] = w.regions()[i].index_share;
      rj.push_back(std::move(o));
    }
    for (std::size_t i = 0; i < systems.size(); ++i) {
      auto o = systems[i].to_json();
      o["system"] = w.systems()[i].id;
      o["product"] = w.systems()[i].product;
      o["region"] = w.regions()[w.systems()[i].region].name;
      o["configured_index_share"] = w.index_share(w.systems()[i]);
      sj.push_back(std::move(o));
    }
    json::object out;
    out["persons"] = n;
    out["total"] = total.to_json();
    out["regions"] = std::move(rj);
    out["systems"] = std::move(sj);
    co_return json_response(200, out);
  });

  router.add("GET", "/control/agp", "control_agp", [&sim](const HttpRequest&) -> Awaitable {
    const World& w = sim.world;
    if (!w.options().agp_fixture) co_return problem(404, "the AGP fixture is off (start bokade-sim with --agp-fixture)");
    json::array addresses, persons;
    for (std::size_t c = w.generated_clinics(); c < w.clinics().size(); ++c) {
      const auto& clinic = w.clinics()[c];
      json::object o;
      o["logical_address"] = clinic.hsa_id;
      o["name"] = clinic.name;
      o["system"] = w.systems()[clinic.system].id;
      o["tak"] = to_string(clinic.permission);
      o["url"] = sim.producer_urls()[clinic.system];
      addresses.push_back(std::move(o));
    }
    for (const auto& t : agp::test_persons()) persons.push_back(agp_person_json(t));
    json::object out;
    out["region"] = agp::region_name;
    out["addresses"] = std::move(addresses);
    out["persons"] = std::move(persons);
    out["booking_days_after_epoch"] = agp::first_booking_day;
    out["booking_minute_of_day"] = agp::booking_minute_of_day;
    co_return json_response(200, out);
  });

  router.add("POST", "/control/ei/replay", "control_ei_replay", [&sim](const HttpRequest&) -> Awaitable {
    if (sim.push.settings().subscriber_url.empty()) co_return problem(409, "no --subscriber configured");
    co_return json_response(202, json::object{{"persons", sim.push.replay()}});
  });
  router.add("GET", "/control/ei/stats", "control_ei_stats", [&sim](const HttpRequest&) -> Awaitable {
    const PushStats s = sim.push.stats();
    const PushSettings settings = sim.push.settings();
    json::object o;
    o["subscriber"] = settings.subscriber_url;
    o["batches_sent"] = s.batches_sent;
    o["batches_acknowledged"] = s.batches_acknowledged;
    o["batches_failed"] = s.batches_failed;
    o["transactions_sent"] = s.transactions_sent;
    o["transactions_acknowledged"] = s.transactions_acknowledged;
    o["redeliveries"] = s.redeliveries;
    o["duplicates"] = s.duplicates;
    o["phantom_deletes"] = s.phantom_deletes;
    o["unchanged"] = s.unchanged;
    o["queued"] = s.queued;
    o["awaiting_redelivery"] = s.awaiting_redelivery;
    o["replay_remaining"] = s.replay_remaining;
    o["last_error"] = s.last_error;
    co_return json_response(200, o);
  });
  router.add("PUT", "/control/ei/habits", "control_ei_habits", [&sim](const HttpRequest& r) -> Awaitable {
    auto body = body_object(r);
    if (!body) co_return problem(400, body.error().message);
    PushHabits h = sim.push.settings().habits;
    for (auto [key, field] : {std::pair{"duplicates", &h.duplicates}, std::pair{"reorder", &h.reorder},
                              std::pair{"phantom_deletes", &h.phantom_deletes}, std::pair{"unchanged", &h.unchanged}}) {
      if (auto v = number_field(*body, key)) {
        if (*v < 0 || *v > 1) co_return problem(400, std::string(key) + " must be between 0 and 1");
        *field = *v;
      }
    }
    sim.push.set_habits(h);
    co_return json_response(200, json::object{{"duplicates", h.duplicates}, {"reorder", h.reorder},
                                              {"phantom_deletes", h.phantom_deletes}, {"unchanged", h.unchanged}});
  });
}

}  // namespace bokade::sim
