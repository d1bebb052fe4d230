// The operators' endpoints on the admin listener: health, metrics, a person's stored state, refresh on
// demand, booking-system states, the coverage report and the relations import.

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <set>

#include "app_impl.hpp"
#include "bokade/core/hsa_id.hpp"
#include "bokade/core/log.hpp"
#include "bokade/coverage/relations.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/store/async_commit.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::app {

net::Router App::Impl::admin_router() {
  net::Router r;
  r.add("GET", "/healthz", "healthz", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, "ok\n");
  });
  r.add("GET", "/readyz", "readyz", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    if (stopping) co_return HttpResponse::text(503, "stopping\n");
    if (!ready) co_return HttpResponse::text(503, "starting\n");
    co_return HttpResponse::text(200, "ready\n");
  });
  r.add("GET", "/metrics", "metrics", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    HttpResponse res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = metrics->render();
    co_return res;
  });
  r.add("GET", "/admin/persons/{id}", "admin_person", [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
    co_return person_view(req.params.at(0));
  });
  r.add("POST", "/admin/persons/{id}/refresh", "admin_refresh",
        [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return request_refresh(req.params.at(0)); });
  r.add("GET", "/admin/sources", "admin_sources", [this](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return sources_view();
  });
  r.add("GET", "/admin/coverage", "admin_coverage", [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> {
    std::size_t limit = 20;
    if (auto l = req.query_param("limit")) {
      try {
        limit = std::stoul(*l);
      } catch (const std::exception&) {
        co_return HttpResponse::problem(400, "Bad Request", "limit must be a whole number");
      }
    }
    auto report = co_await compute_coverage();
    if (!report) co_return HttpResponse::problem(500, "Internal Server Error", report.error().message);
    co_return HttpResponse::json(200, coverage::to_json(*report, limit));
  });
  r.add(
      "POST", "/admin/relations", "admin_relations",
      [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return co_await import_relations(req.body); },
      std::size_t{512} << 20);
  return r;
}

// What bokade holds about one person, for operators: engagements per logical address. The person
// appears masked; the id itself is only in the request.
HttpResponse App::Impl::person_view(std::string_view id_text) {
  auto person = PersonId::parse(id_text);
  if (!person) return HttpResponse::problem(400, "Bad Request", "not a usable person id: " + person.error().message);
  auto engagements = ei::engagements_of(*store, *person, true);
  if (!engagements) return HttpResponse::problem(500, "Internal Server Error", "the store could not be read");
  boost::json::array list;
  for (const auto& e : *engagements) {
    boost::json::object o;
    o["logicalAddress"] = e.key.logical_address;
    o["bookingId"] = e.key.business_object_instance_identifier;
    o["sourceSystem"] = e.key.source_system;
    o["serviceDomain"] = e.key.service_domain;
    o["categorization"] = e.key.categorization;
    o["deleted"] = e.record.deleted;
    if (e.record.most_recent_content) o["mostRecentContent"] = format_iso_local(*e.record.most_recent_content);
    if (e.record.update_time) o["updateTime"] = format_iso_local(*e.record.update_time);
    o["lastSeen"] = format_iso_utc(e.record.last_seen);
    list.push_back(std::move(o));
  }
  boost::json::array slices;
  if (auto rows = store->scan_prefix(store::Column::slices, store::person_key(*person))) {
    for (const auto& [k, v] : *rows) {
      auto slice = store::decode_slice(v);
      if (!slice) continue;
      const auto& st = slice->status;
      boost::json::object o;
      o["logicalAddress"] = st.logical_address;
      o["status"] = std::string(to_string(st.code));
      o["lastOutcome"] = std::string(to_string(st.last_outcome));
      o["appointmentCount"] = slice->appointments.size();
      if (st.last_success) o["lastSuccessfulSynch"] = format_iso_utc(*st.last_success);
      if (st.last_failure) o["lastUnsuccessfulSynch"] = format_iso_utc(*st.last_failure);
      if (!st.error_code.empty() || !st.error_text.empty()) o["lastError"] = st.error_code + " " + st.error_text;
      boost::json::array appointments;
      for (const auto& a : slice->appointments) {
        boost::json::object ap;
        ap["bookingId"] = a.booking_id;
        ap["healthcareFacility"] = a.healthcare_facility;
        if (a.start) ap["start"] = format_iso_local(*a.start);
        appointments.push_back(std::move(ap));
      }
      o["appointments"] = std::move(appointments);
      slices.push_back(std::move(o));
    }
  }
  boost::json::object body;
  body["person"] = person->masked();
  body["engagements"] = std::move(list);
  body["slices"] = std::move(slices);
  return HttpResponse::json(200, boost::json::serialize(body));
}

// Legacy relations from a CSV or JSON-lines body; each person then gets a refresh of all their clinics.
asio::awaitable<HttpResponse> App::Impl::import_relations(std::string body) {
  auto parsed = std::make_shared<coverage::ParsedRelations>(coverage::parse_relations(body));
  body.clear();
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  constexpr std::size_t chunk = 20'000;
  const auto total = parsed->relations.size();
  const auto started = std::chrono::steady_clock::now();
  import_metrics->started(static_cast<double>(total));
  for (std::size_t from = 0; from < total; from += chunk) {
    const auto to = std::min(total, from + chunk);
    auto job = [parsed, from, to, now](const store::Store&, store::Batch& batch) -> Status {
      std::vector<coverage::Relation> part(parsed->relations.begin() + static_cast<std::ptrdiff_t>(from),
                                           parsed->relations.begin() + static_cast<std::ptrdiff_t>(to));
      coverage::put_relations(batch, part, "import", now);
      return {};
    };
    auto [st, accepted] = co_await store::async_commit(*write_queue, std::move(job), asio::use_awaitable,
                                                       store::WriteQueue::Admission::always);
    if (!accepted || !st) {
      co_return HttpResponse::problem(503, "Service Unavailable",
                                      fmt::format("stored {} of {} relations, then the store refused: {}", from, total,
                                                  accepted ? st.error().message : "write queue full"));
    }
    import_metrics->progressed(static_cast<double>(to));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log::info("relations import progress", {{"done", to}, {"total", total},
                                            {"per_second", secs > 0 ? static_cast<double>(to) / secs : 0.0},
                                            {"eta_seconds", secs > 0 && to > 0 ? secs * static_cast<double>(total - to) / static_cast<double>(to) : 0.0}});
  }
  std::set<std::string> persons;
  for (const auto& r : parsed->relations) persons.insert(r.person);
  std::size_t queued = 0;
  for (const auto& p : persons) {
    auto id = PersonId::parse(p);
    if (!id) continue;
    // Imported persons are watched (polled on the schedule) and refreshed now.
    write_queue->submit(watch_set->watch_job(*id, ei::WatchReason::imported, now), nullptr,
                        store::WriteQueue::Admission::always);
    if (refresh_queue->enqueue(p, addresses_of(*id))) ++queued;
  }
  boost::json::object out;
  out["lines"] = parsed->lines;
  out["imported"] = total;
  out["persons"] = persons.size();
  out["refreshesQueued"] = queued;
  out["rejected"] = parsed->errors.size();
  boost::json::array errors;
  for (std::size_t i = 0; i < parsed->errors.size() && i < 20; ++i) {
    errors.push_back({{"line", parsed->errors[i].line}, {"reason", parsed->errors[i].reason}});
  }
  out["errors"] = std::move(errors);
  log::info("relations imported", {{"relations", total}, {"persons", persons.size()}, {"rejected", parsed->errors.size()}});
  co_return HttpResponse::json(parsed->errors.empty() ? 200 : 207, boost::json::serialize(out));
}

HttpResponse App::Impl::request_refresh(std::string_view id_text) {
  auto person = PersonId::parse(id_text);
  if (!person) return HttpResponse::problem(400, "Bad Request", "not a usable person id: " + person.error().message);
  const auto addresses = addresses_of(*person);
  if (!refresh_queue->enqueue(person->str(), addresses)) {
    return HttpResponse::problem(503, "Service Unavailable", "the refresh queue is full; try again later");
  }
  log::info("refresh requested by operator", {{"person", person->masked()}, {"addresses", addresses.size()}});
  return HttpResponse::json(202, fmt::format(R"({{"person":"{}","addresses":{}}})", person->masked(), addresses.size()));
}

HttpResponse App::Impl::sources_view() {
  boost::json::array list;
  const auto cfg = current_config();
  for (const auto& s : refresher->sources()) {
    boost::json::object o;
    o["bookingSystem"] = s.booking_system;
    o["breaker"] = std::string(fanout::to_string(s.breaker));
    o["inFlight"] = s.in_flight;
    o["waiting"] = s.waiting;
    const config::SourceLimits* limits = &cfg->booking_system_defaults;
    for (const auto& b : cfg->booking_systems) {
      if (b.name == s.booking_system) limits = &b.limits;
    }
    o["maxConcurrency"] = limits->max_concurrency;
    o["ratePerSecond"] = limits->rate_per_second;
    o["burst"] = limits->burst;
    list.push_back(std::move(o));
  }
  const auto q = refresh_queue->stats();
  boost::json::object body;
  body["sources"] = std::move(list);
  body["refreshQueue"] = {{"waiting", q.waiting}, {"running", q.running}, {"done", q.done}, {"refused", q.refused}};
  if (auto snap = tak->current()) {
    body["tak"] = {{"permissions", snap->counts().permissions}, {"routes", snap->counts().routes},
                   {"loadedAt", format_iso_utc(snap->loaded_at())}};
  }
  return HttpResponse::json(200, boost::json::serialize(body));
}

}  // namespace bokade::app
