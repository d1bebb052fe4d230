#include "bokade/view/json.hpp"

#include <algorithm>
#include <cstring>

#include "text.hpp"

namespace bokade::view {
namespace {

// The body is written straight into one buffer, in the order a reader sees it, instead of building a
// boost::json DOM first: the DOM cost an allocation per key and value and a hash table per object, more
// than everything else a cached query did. The bytes are the ones boost::json::serialize wrote from that
// DOM (same keys, same order, same escaping); tests/view reads them back with boost::json.
//
// The buffer is a string grown ahead of the writes (room() before each), written through a pointer, and
// cut to length at the end: std::string's own appends check and may grow on every call, which for the
// hundreds of small pieces of a body cost more than the text itself.
class Buffer {
 public:
  explicit Buffer(std::size_t expected) : text_(expected, '\0') {}

  // A pointer with at least `n` bytes of room after it; advance() says how many were used.
  char* room(std::size_t n) {
    if (text_.size() - used_ < n) text_.resize(std::max(2 * text_.size(), used_ + n));
    return text_.data() + used_;
  }
  void advance(char* end) { used_ = static_cast<std::size_t>(end - text_.data()); }

  void put(char c) {
    *room(1) = c;
    ++used_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    used_ += s.size();
  }
  void json_string(std::string_view s) { advance(detail::write_json_string(room(detail::json_string_max(s.size())), s)); }
  // A time is digits and "-:T+", nothing to escape.
  void time(UtcTime t) {
    time_.clear();  // one string for every time of the body: it keeps its capacity
    append_iso_local(time_, t);
    put('"');
    put(time_);
    put('"');
  }

  std::string take() && {
    text_.resize(used_);
    return std::move(text_);
  }

 private:
  std::string text_;
  std::size_t used_ = 0;
  std::string time_;
};

// Keys are the constants below, plain ASCII, and are written without escaping.
class Object {
 public:
  explicit Object(Buffer& out) : out_(out) { out_.put('{'); }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object() { out_.put('}'); }

  // Writes `"key":` (after a comma when needed) and returns the buffer the value goes to.
  Buffer& key(std::string_view k) {
    char* p = out_.room(k.size() + 4);
    if (!first_) *p++ = ',';
    first_ = false;
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    out_.advance(p);
    return out_;
  }

  // Always written, as it is (malformed UTF-8 replaced).
  void string(std::string_view k, std::string_view value) { key(k).json_string(value); }

  // Absent strings are left out rather than sent empty (docs/api.yaml), so a client tests presence only.
  void optional(std::string_view k, std::string_view value) {
    const std::string_view v = detail::trim(value);
    if (!v.empty()) string(k, v);
  }

  void optional(std::string_view k, const std::optional<UtcTime>& t) {
    if (t) time(k, *t);
  }

  void time(std::string_view k, UtcTime t) { key(k).time(t); }

  void boolean(std::string_view k, bool value) { key(k).put(value ? std::string_view("true") : std::string_view("false")); }

  // An {"id"/"hsaId", "name"} pair, left out as a whole when both are absent.
  void pair(std::string_view k, std::string_view id_key, std::string_view id, std::string_view name) {
    if (detail::trim(id).empty() && detail::trim(name).empty()) return;
    Object o(key(k));
    o.optional(id_key, id);
    o.optional("name", name);
  }

 private:
  Buffer& out_;
  bool first_ = true;
};

void action(Buffer& out, const Action& a) {
  Object o(out);
  o.boolean("allowed", a.allowed);
  if (!a.allowed) o.optional("reason", a.reason);
  o.string("logicalAddress", a.logical_address);
}

void appointment(Buffer& out, const AppointmentView& v) {
  const Appointment& a = v.appointment;
  Object o(out);
  o.string("id", v.id);
  o.optional("bookingId", a.booking_id);
  o.optional("start", a.start);
  o.optional("end", a.end);
  {
    Object clinic(o.key("clinic"));
    clinic.string("hsaId", v.clinic.hsa_id);
    clinic.optional("name", v.clinic.name);
  }
  o.pair("performer", "hsaId", a.performer, a.performer_name);
  o.pair("timeType", "id", a.time_type_id, a.time_type_name);
  o.pair("careType", "id", a.care_type_id, a.care_type_name);
  o.optional("purpose", a.purpose);
  o.optional("reason", a.reason);
  o.pair("resource", "id", a.resource_id, a.resource_name);
  o.boolean("invitation", a.is_invitation);
  o.boolean("messageAllowed", a.message_allowed);
  {
    Object actions(o.key("actions"));
    action(actions.key("cancel"), v.cancel);
    action(actions.key("rebook"), v.rebook);
  }
  o.optional("region", v.region);
  o.optional("bookingSystem", v.booking_system);
}

void source(Buffer& out, const SourceView& s) {
  Object o(out);
  o.string("logicalAddress", s.logical_address);
  o.optional("name", s.name);
  o.string("status", to_string(s.state));
  o.optional("lastSuccessfulSynch", s.last_successful_synch);
  o.optional("lastUnsuccessfulSynch", s.last_unsuccessful_synch);
  if (!s.error_code.empty()) {
    Object error(o.key("lastError"));
    error.optional("code", s.error_code);
    error.optional("text", s.error_text);
    error.optional("causingAgent", s.causing_agent);
  }
}

void clinic(Buffer& out, const Clinic& c) {
  Object o(out);
  o.string("hsaId", c.hsa_id);
  o.optional("name", c.name);
}

// A JSON array of `items`, each written by `write(out, item)`.
template <class Items, class Write>
void array(Buffer& out, const Items& items, Write write) {
  out.put('[');
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.put(',');
    first = false;
    write(out, item);
  }
  out.put(']');
}

}  // namespace

std::string to_json(const PersonView& view, const PersonId& person) {
  // About 1 kB per appointment and 250 bytes per source in practice: most bodies never grow the buffer.
  Buffer out(512 + 1280 * view.appointments.size() + 384 * view.sources.size() +
             192 * view.clinics_without_appointments.size());
  {
    Object body(out);
    body.string("person", person.masked());
    body.time("generated", view.generated);
    array(body.key("appointments"), view.appointments, appointment);
    array(body.key("sources"), view.sources, source);
    array(body.key("clinicsWithoutAppointments"), view.clinics_without_appointments, clinic);
  }
  return std::move(out).take();
}

}  // namespace bokade::view
