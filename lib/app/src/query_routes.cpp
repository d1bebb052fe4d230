// The query listener's endpoints: the citizen's view (JSON, ICS), the RIVTA SOAP endpoint the national
// aggregating service offers, the legacy relations API and the engagement index's ProcessNotification.
// Every request is logged with the masked person and the correlation id, never the personnummer.

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>

#include "app_impl.hpp"
#include "bokade/config/units.hpp"
#include "bokade/core/hsa_id.hpp"
#include "bokade/core/log.hpp"
#include "bokade/coverage/relations.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/schedule.hpp"
#include "bokade/store/async_commit.hpp"
#include "bokade/store/keys.hpp"
#include "bokade/view/ics.hpp"
#include "bokade/view/json.hpp"
#include "bokade/view/person_view.hpp"

namespace bokade::app {

inline constexpr std::string_view schedule_endpoint_path = "/rivta/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21";

namespace {

using Clock = std::chrono::steady_clock;

// The caller's x-skltp-correlation-id when it is a sane token, else a new one.
std::string correlation_id_of(const HttpRequest& req) {
  if (auto given = req.header("x-skltp-correlation-id")) {
    const bool sane = !given->empty() && given->size() <= 64 && std::all_of(given->begin(), given->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (sane) return std::string(*given);
  }
  // 32 hex digits: this thread's random 64-bit prefix, then its request counter through a bijective mixer
  // (splitmix64), so ids never repeat within the thread and look unrelated to each other. A correlation id
  // has to be unique, not secret; RAND_bytes per request cost a getpid() system call (OpenSSL's fork check)
  // and more than the rest of the id put together.
  struct Ids {
    std::uint64_t prefix = 0;
    std::uint64_t count = 0;
    bool seeded = false;
  };
  thread_local Ids ids;
  if (!ids.seeded) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&ids.prefix), sizeof ids.prefix) != 1) {
      ids.prefix = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                   static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&ids));
    }
    ids.seeded = true;
  }
  std::uint64_t mixed = ids.prefix ^ ++ids.count;
  mixed = (mixed ^ (mixed >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27U)) * 0x94d049bb133111ebULL;
  mixed ^= mixed >> 31U;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '\0');
  for (std::size_t i = 0; i < 16; ++i) {
    out[i] = hex[(ids.prefix >> (60 - 4 * i)) & 0xFU];
    out[16 + i] = hex[(mixed >> (60 - 4 * i)) & 0xFU];
  }
  return out;
}

// A duration query parameter ("30s", "5m", "0s"; a bare number is seconds), at most `max` when given.
Expected<std::chrono::milliseconds> duration_param(const HttpRequest& req, std::string_view name,
                                                   std::chrono::milliseconds fallback,
                                                   std::optional<std::chrono::milliseconds> max) {
  auto text = req.query_param(name);
  if (!text) return fallback;
  std::string t = *text;
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) t += "s";
  auto d = config::parse_duration(t);
  if (!d) return fail(fmt::format("{} must be a duration such as 30s, 5m or 0s: {}", name, d.error().message));
  if (max && *d > *max) {
    return fail(fmt::format("{} may be at most {}", name, config::format_duration(*max)));
  }
  return *d;
}

HttpResponse with_correlation(HttpResponse res, const std::string& correlation_id) {
  res.headers.emplace_back("x-skltp-correlation-id", correlation_id);
  // Personal data: never kept by shared caches.
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

HttpResponse soap_fault(std::string_view text, rivta::FaultCode code = rivta::FaultCode::client) {
  HttpResponse res;
  res.status = 500;  // SOAP 1.1 over HTTP: a fault travels with 500
  res.content_type = "text/xml; charset=utf-8";
  res.body = rivta::write_fault(code, text);
  return res;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

}  // namespace

// Runs the query and builds the view; on failure the problem to answer with.
asio::awaitable<Expected<view::PersonView, HttpResponse>> App::Impl::person_view_for(
    const PersonId& person, std::chrono::milliseconds max_age, std::chrono::milliseconds wait,
    const std::string& correlation_id, QueryAnswer* answer_out) {
  if (stopping) co_return Unexpected<HttpResponse>{HttpResponse::problem(503, "Service Unavailable", "bokaded is stopping")};
  // A named request, not a braced temporary inside co_await: GCC 12 destroys such temporaries twice.
  QueryRequest request{person, max_age, wait, correlation_id};
  auto answer = co_await queries->query(std::move(request));
  if (!answer) {
    log::error("query failed", {{"person", person.masked()}, {"correlation_id", correlation_id},
                                {"error", answer.error().message}});
    co_return Unexpected<HttpResponse>{
        HttpResponse::problem(500, "Internal Server Error", "the store could not be read; try again")};
  }
  const auto cfg = current_config();
  auto built = view::build_view(std::move(answer->inputs), *cfg, std::chrono::floor<std::chrono::seconds>(
                                                                      std::chrono::system_clock::now()));
  if (answer_out) *answer_out = std::move(*answer);
  co_return built;
}

asio::awaitable<HttpResponse> App::Impl::serve_appointments(const HttpRequest& req, bool ics) {
  const auto started = Clock::now();
  const auto correlation_id = correlation_id_of(req);
  auto person = PersonId::parse(req.params.at(0));
  if (!person) {
    co_return with_correlation(
        HttpResponse::problem(400, "Bad Request", "personId is not a valid personnummer: " + person.error().message),
        correlation_id);
  }
  const auto cfg = current_config();
  auto max_age = duration_param(req, "maxAge", cfg->refresh.freshness, std::nullopt);
  if (!max_age) co_return with_correlation(HttpResponse::problem(400, "Bad Request", max_age.error().message), correlation_id);
  auto wait = duration_param(req, "wait", cfg->refresh.query_wait, cfg->refresh.query_wait_max);
  if (!wait) co_return with_correlation(HttpResponse::problem(400, "Bad Request", wait.error().message), correlation_id);

  HttpResponse res;
  if (ics) {
    res.content_type = "text/calendar; charset=utf-8";
    res.headers.emplace_back("Content-Disposition", "inline; filename=\"bokade-tider.ics\"");
  } else {
    res.content_type = "application/json";
  }

  // A rendered answer that is still what this query would answer (view_cache.hpp says when). The
  // person's generation is read before anything of theirs is: a write after it shows as a new generation.
  const auto format = ics ? ViewCache::Format::ics : ViewCache::Format::json;
  const std::size_t cache_entries = cfg->refresh.view_cache_entries;
  const std::uint64_t generation = store->person_generation(store::person_key(*person));
  if (cache_entries > 0) {
    const auto now = std::chrono::system_clock::now();
    if (auto hit = view_cache.find(*person, format, generation, cfg, now, *max_age)) {
      view_cache_metrics->hit();
      res.body = hit->body;
      log::info("appointments served", {{"person", person->masked()}, {"correlation_id", correlation_id},
                                        {"consumer", req.consumer}, {"format", ics ? "ics" : "json"},
                                        {"appointments", hit->appointments}, {"sources", hit->sources},
                                        {"refreshed", 0}, {"view_cache", "hit"}, {"ms", ms_since(started)}});
      co_return with_correlation(std::move(res), correlation_id);
    }
    view_cache_metrics->miss();
    view_cache_metrics->entries(static_cast<double>(view_cache.size()));
  }

  QueryAnswer answer;
  auto v = co_await person_view_for(*person, *max_age, *wait, correlation_id, &answer);
  if (!v) co_return with_correlation(std::move(v.error()), correlation_id);
  res.body = ics ? view::to_ics(*v, cfg->identity.hsa_id) : view::to_json(*v, *person);
  // Kept when nothing was refreshed or looked up: then every source is DataFromCache and the answer came
  // from the store alone, as the next query's would while nothing changes.
  if (cache_entries > 0 && answer.refreshed == 0 && !answer.looked_up &&
      std::all_of(v->sources.begin(), v->sources.end(),
                  [](const view::SourceView& s) { return s.state == view::SourceState::DataFromCache; })) {
    auto entry = std::make_shared<CachedView>();
    entry->body = res.body;
    entry->generation = generation;
    entry->config = cfg;
    for (const auto& s : v->sources) {
      if (s.last_successful_synch && (!entry->oldest_success || *s.last_successful_synch < *entry->oldest_success)) {
        entry->oldest_success = *s.last_successful_synch;
      }
    }
    const auto rendered = std::chrono::system_clock::time_point(v->generated);
    entry->expires = rendered + cfg->refresh.view_cache_ttl;
    if (v->changes_at && *v->changes_at < entry->expires) entry->expires = *v->changes_at;
    entry->appointments = v->appointments.size();
    entry->sources = v->sources.size();
    view_cache.put(*person, format, std::move(entry), cache_entries, std::chrono::system_clock::now());
    view_cache_metrics->entries(static_cast<double>(view_cache.size()));
  }
  log::info("appointments served", {{"person", person->masked()}, {"correlation_id", correlation_id},
                                    {"consumer", req.consumer}, {"format", ics ? "ics" : "json"},
                                    {"appointments", v->appointments.size()}, {"sources", v->sources.size()},
                                    {"refreshed", answer.refreshed}, {"shared_refresh", answer.joined},
                                    {"ms", ms_since(started)}});
  co_return with_correlation(std::move(res), correlation_id);
}

// GetSubjectOfCareSchedule 1.1 as the national aggregating service offers it: addressed to our logical
// address, the deduplicated, start-sorted timeslots and a ProcessingStatus header, one record per source.
asio::awaitable<HttpResponse> App::Impl::serve_schedule_soap(const HttpRequest& req) {
  const auto started = Clock::now();
  const auto correlation_id = correlation_id_of(req);
  auto request = rivta::read_schedule_request(req.body);
  if (!request) {
    co_return with_correlation(soap_fault("the GetSubjectOfCareSchedule request could not be read: " +
                                          request.error().reason),
                               correlation_id);
  }
  const auto cfg = current_config();
  if (request->logical_address.empty()) {
    co_return with_correlation(soap_fault("the LogicalAddress header is missing"), correlation_id);
  }
  if (normalise_hsa(request->logical_address) != normalise_hsa(cfg->identity.logical_address)) {
    co_return with_correlation(
        soap_fault(fmt::format("LogicalAddress {} is not served here; this service answers to {}",
                               rivta::redact_person_ids(request->logical_address), cfg->identity.logical_address)),
        correlation_id);
  }
  auto person = PersonId::parse(request->subject_of_care);
  if (!person) {
    co_return with_correlation(soap_fault("subject_of_care is not a valid personnummer: " + person.error().message),
                               correlation_id);
  }
  QueryAnswer answer;
  auto v = co_await person_view_for(*person, cfg->refresh.freshness, cfg->refresh.query_wait, correlation_id, &answer);
  if (!v) {
    co_return with_correlation(soap_fault(v.error().status == 503 ? "the service is stopping; try again"
                                                                  : "the service could not read its store; try again",
                                          rivta::FaultCode::server),
                               correlation_id);
  }
  std::vector<Appointment> timeslots;
  timeslots.reserve(v->appointments.size());
  for (const auto& a : v->appointments) {
    timeslots.push_back(a.appointment);
    // The clinic's name as the JSON shows it, also when this booking's own copy left it out.
    if (timeslots.back().healthcare_facility_name.empty()) timeslots.back().healthcare_facility_name = a.clinic.name;
  }
  std::vector<SourceStatus> statuses;
  for (const auto& s : v->sources) {
    // The aggregating service leaves out addresses TAK does not let it call; so do we (the JSON API says).
    if (s.state == view::SourceState::NotAuthorized) continue;
    SourceStatus st;
    st.logical_address = s.logical_address;
    st.code = static_cast<ProcessingStatusCode>(s.state);
    st.last_success = s.last_successful_synch;
    st.last_failure = s.last_unsuccessful_synch;
    st.error_code = s.error_code;
    st.error_text = s.error_text;
    st.causing_agent = s.causing_agent;
    statuses.push_back(std::move(st));
  }
  auto body = rivta::write_schedule_response(timeslots, &statuses);
  if (!body) {
    log::error("schedule response not written", {{"correlation_id", correlation_id}, {"error", body.error().message}});
    co_return with_correlation(soap_fault("the response could not be written", rivta::FaultCode::server), correlation_id);
  }
  HttpResponse res;
  res.content_type = "text/xml; charset=utf-8";
  res.body = std::move(*body);
  log::info("schedule served (SOAP)", {{"person", person->masked()}, {"correlation_id", correlation_id},
                                       {"consumer", req.header("x-rivta-original-serviceconsumer-hsaid").value_or(req.consumer)},
                                       {"timeslots", timeslots.size()}, {"sources", statuses.size()},
                                       {"refreshed", answer.refreshed}, {"ms", ms_since(started)}});
  co_return with_correlation(std::move(res), correlation_id);
}

HttpResponse App::Impl::relations_json(const PersonId& person, const std::set<std::string>& addresses) {
  boost::json::array list;
  for (const auto& a : addresses) list.emplace_back(a);
  boost::json::object body;
  body["person"] = person.masked();
  body["logicalAddresses"] = std::move(list);
  return HttpResponse::json(200, boost::json::serialize(body));
}

asio::awaitable<HttpResponse> App::Impl::get_relations(const HttpRequest& req) {
  auto person = PersonId::parse(req.params.at(0));
  if (!person) {
    co_return HttpResponse::problem(400, "Bad Request", "personId is not a valid personnummer: " + person.error().message);
  }
  auto relations = coverage::relations_of(*store, *person);
  if (!relations) co_return HttpResponse::problem(500, "Internal Server Error", "the store could not be read");
  co_return relations_json(*person, *relations);
}

// Replaces the person's legacy relations with the list given, then refreshes their clinics.
asio::awaitable<HttpResponse> App::Impl::put_relations(const HttpRequest& req) {
  const auto correlation_id = correlation_id_of(req);
  auto person = PersonId::parse(req.params.at(0));
  if (!person) {
    co_return HttpResponse::problem(400, "Bad Request", "personId is not a valid personnummer: " + person.error().message);
  }
  boost::system::error_code ec;
  auto doc = boost::json::parse(req.body, ec);
  const auto* obj = ec ? nullptr : doc.if_object();
  const auto* list = obj && obj->contains("logicalAddresses") ? obj->at("logicalAddresses").if_array() : nullptr;
  if (!list) {
    co_return HttpResponse::problem(400, "Bad Request",
                                    R"(the body must be a JSON object {"logicalAddresses": ["SE…", …]})");
  }
  std::set<std::string> addresses;
  std::vector<std::string> bad;
  for (const auto& item : *list) {
    const auto* s = item.if_string();
    if (!s) {
      bad.emplace_back("(not a string)");
      continue;
    }
    if (auto id = HsaId::parse(*s); id) {
      addresses.insert(normalise_hsa(*s));
    } else {
      bad.push_back(rivta::redact_person_ids(std::string_view(*s)) + ": " + id.error().message);
    }
  }
  if (!bad.empty()) {
    std::string detail = "not HSA-ids: ";
    for (std::size_t i = 0; i < bad.size() && i < 10; ++i) detail += (i ? "; " : "") + bad[i];
    co_return HttpResponse::problem(400, "Bad Request", detail);
  }
  if (addresses.size() > 1000) co_return HttpResponse::problem(413, "Payload Too Large", "at most 1000 relations per person");
  auto old = coverage::relations_of(*store, *person);
  if (!old) co_return HttpResponse::problem(500, "Internal Server Error", "the store could not be read");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::vector<coverage::Relation> next;
  for (const auto& a : addresses) next.push_back({person->str(), a});
  auto job = [key = store::person_key(*person), removed = *old, next, now](const store::Store&, store::Batch& batch) -> Status {
    for (const auto& a : removed) batch.erase(store::Column::relations, key + a);
    coverage::put_relations(batch, next, "api", now);
    return {};
  };
  auto [st, accepted] = co_await store::async_commit(*write_queue, std::move(job), asio::use_awaitable,
                                                     store::WriteQueue::Admission::always);
  if (!accepted || !st) co_return HttpResponse::problem(503, "Service Unavailable", "the relations could not be stored");
  write_queue->submit(watch_set->watch_job(*person, ei::WatchReason::imported, now), nullptr,
                      store::WriteQueue::Admission::always);
  refresh_queue->enqueue(person->str(), addresses_of(*person));
  log::info("relations replaced", {{"person", person->masked()}, {"correlation_id", correlation_id},
                                   {"relations", addresses.size()}, {"removed", old->size()}});
  co_return relations_json(*person, addresses);
}

net::Router App::Impl::query_router() {
  net::Router r;
  r.add("GET", "/healthz", "healthz", [](const HttpRequest&) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse::text(200, "ok\n");
  });
  r.add("GET", "/v1/persons/{id}/appointments", "appointments",
        [this](const HttpRequest& req) { return serve_appointments(req, false); });
  r.add("GET", "/v1/persons/{id}/appointments.ics", "appointments_ics",
        [this](const HttpRequest& req) { return serve_appointments(req, true); });
  r.add("GET", "/v1/persons/{id}/relations", "relations_get", [this](const HttpRequest& req) { return get_relations(req); });
  r.add("PUT", "/v1/persons/{id}/relations", "relations_put", [this](const HttpRequest& req) { return put_relations(req); });
  r.add("POST", std::string(schedule_endpoint_path), "schedule_soap",
        [this](const HttpRequest& req) { return serve_schedule_soap(req); });
  r.add(
      "POST", std::string(ei::process_notification_path), "process_notification",
      [this](const HttpRequest& req) -> asio::awaitable<HttpResponse> { co_return co_await notifications->handle(req); },
      std::max<std::size_t>(current_config()->listen.query.max_body, 16u << 20));
  return r;
}

}  // namespace bokade::app
