#include "bokade/view/json.hpp"

#include <boost/json.hpp>

#include "text.hpp"

namespace bokade::view {
namespace {

namespace json = boost::json;

// Absent strings are left out rather than sent empty (docs/api.yaml), so a client tests presence only.
void put(json::object& o, std::string_view key, std::string_view value) {
  const std::string_view v = detail::trim(value);
  if (!v.empty()) o[key] = detail::valid_utf8(v);
}

void put(json::object& o, std::string_view key, const std::optional<UtcTime>& t) {
  if (t) o[key] = format_iso_local(*t);
}

// An {"id"/"hsaId", "name"} pair, left out as a whole when both are absent.
void put_pair(json::object& o, std::string_view key, std::string_view id_key, std::string_view id,
              std::string_view name) {
  json::object pair;
  put(pair, id_key, id);
  put(pair, "name", name);
  if (!pair.empty()) o[key] = std::move(pair);
}

json::object action(const Action& a) {
  json::object o;
  o["allowed"] = a.allowed;
  if (!a.allowed) put(o, "reason", a.reason);
  o["logicalAddress"] = detail::valid_utf8(a.logical_address);
  return o;
}

json::object appointment(const AppointmentView& v) {
  const Appointment& a = v.appointment;
  json::object o;
  o["id"] = v.id;
  put(o, "bookingId", a.booking_id);
  put(o, "start", a.start);
  put(o, "end", a.end);
  json::object clinic;
  clinic["hsaId"] = detail::valid_utf8(v.clinic.hsa_id);
  put(clinic, "name", v.clinic.name);
  o["clinic"] = std::move(clinic);
  put_pair(o, "performer", "hsaId", a.performer, a.performer_name);
  put_pair(o, "timeType", "id", a.time_type_id, a.time_type_name);
  put_pair(o, "careType", "id", a.care_type_id, a.care_type_name);
  put(o, "purpose", a.purpose);
  put(o, "reason", a.reason);
  put_pair(o, "resource", "id", a.resource_id, a.resource_name);
  o["invitation"] = a.is_invitation;
  o["messageAllowed"] = a.message_allowed;
  o["actions"] = json::object{{"cancel", action(v.cancel)}, {"rebook", action(v.rebook)}};
  put(o, "region", v.region);
  put(o, "bookingSystem", v.booking_system);
  return o;
}

json::object source(const SourceView& s) {
  json::object o;
  o["logicalAddress"] = detail::valid_utf8(s.logical_address);
  put(o, "name", s.name);
  o["status"] = to_string(s.state);
  put(o, "lastSuccessfulSynch", s.last_successful_synch);
  put(o, "lastUnsuccessfulSynch", s.last_unsuccessful_synch);
  if (!s.error_code.empty()) {
    json::object error;
    put(error, "code", s.error_code);
    put(error, "text", s.error_text);
    put(error, "causingAgent", s.causing_agent);
    o["lastError"] = std::move(error);
  }
  return o;
}

}  // namespace

std::string to_json(const PersonView& view, const PersonId& person) {
  json::object body;
  body["person"] = person.masked();
  body["generated"] = format_iso_local(view.generated);
  json::array appointments;
  appointments.reserve(view.appointments.size());
  for (const auto& a : view.appointments) appointments.push_back(appointment(a));
  body["appointments"] = std::move(appointments);
  json::array sources;
  sources.reserve(view.sources.size());
  for (const auto& s : view.sources) sources.push_back(source(s));
  body["sources"] = std::move(sources);
  json::array clinics;
  for (const auto& c : view.clinics_without_appointments) {
    json::object o;
    o["hsaId"] = detail::valid_utf8(c.hsa_id);
    put(o, "name", c.name);
    clinics.push_back(std::move(o));
  }
  body["clinicsWithoutAppointments"] = std::move(clinics);
  return json::serialize(body);
}

}  // namespace bokade::view
