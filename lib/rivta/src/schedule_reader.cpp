// Reading crm:scheduling GetSubjectOfCareSchedule requests and responses, leniently.

#include <array>
#include <vector>

#include "bokade/rivta/namespaces.hpp"
#include "bokade/rivta/processing_status.hpp"
#include "bokade/rivta/schedule.hpp"
#include "time_cache.hpp"
#include "xml_reader.hpp"
#include "xml_text.hpp"

namespace bokade::rivta {

namespace {

enum class Field : unsigned char {
  start, end, facility, performer, booking_id, subject, purpose, reason, resource_name, facility_name,
  performer_name, resource_id, time_type_name, time_type_id, care_type_name, care_type_id, cancel_allowed,
  rebooking_allowed, message_allowed, is_invitation, unknown
};

struct FieldName {
  std::string_view name;
  Field field;
};

// In schema order, which is the order producers send them in, so the scan usually stops early.
constexpr std::array<FieldName, 20> timeslot_fields{{
    {"startTimeInclusive", Field::start},
    {"endTimeExclusive", Field::end},
    {"healthcare_facility", Field::facility},
    {"performer", Field::performer},
    {"bookingId", Field::booking_id},
    {"subject_of_care", Field::subject},
    {"purpose", Field::purpose},
    {"reason", Field::reason},
    {"resourceName", Field::resource_name},
    {"healthcare_facility_name", Field::facility_name},
    {"performerName", Field::performer_name},
    {"resourceID", Field::resource_id},
    {"timeTypeName", Field::time_type_name},
    {"timeTypeID", Field::time_type_id},
    {"careTypeName", Field::care_type_name},
    {"careTypeID", Field::care_type_id},
    {"cancel_booking_allowed", Field::cancel_allowed},
    {"rebooking_allowed", Field::rebooking_allowed},
    {"message_allowed", Field::message_allowed},
    {"isInvitation", Field::is_invitation},
}};

Field field_of(std::string_view name, std::size_t& hint) noexcept {
  for (std::size_t k = 0; k < timeslot_fields.size(); ++k) {
    const std::size_t idx = (hint + k) % timeslot_fields.size();
    if (timeslot_fields[idx].name == name) {
      hint = idx + 1;
      return timeslot_fields[idx].field;
    }
  }
  return Field::unknown;
}

// Producers put TimeslotType fields in the core, the 1.1 extension or the responder namespace, or in
// none at all; anything else is somebody's extension (xs:any ##other) and is ignored.
bool scheduling_namespace(std::string_view uri) noexcept {
  return uri.empty() || uri == ns::crm_scheduling || uri == ns::crm_scheduling_ext || uri == ns::schedule_responder;
}

// Whether a field's namespace is one of the scheduling namespaces. An element's namespace depends on
// its prefix and on the xmlns declarations of it and its ancestors. A field without attributes (so
// without declarations) in a timeslot without attributes resolves its prefix where the timeslot's
// parent does: the same for every such timeslot of the response, so it is looked up once per prefix
// (producers use one or two). Other fields are looked up on their own, sharing one lookup per prefix
// within their timeslot.
class FieldNamespaces {
 public:
  bool accepted(pugi::xml_node field, std::string_view prefix, bool slot_declares) {
    if (field.first_attribute()) return scheduling_namespace(detail::namespace_of(field));
    std::vector<Entry>& entries = slot_declares ? slot_entries_ : shared_entries_;
    for (const Entry& e : entries) {
      if (e.prefix == prefix) return e.accepted;
    }
    const bool ok = scheduling_namespace(detail::namespace_of(field));
    entries.push_back({prefix, ok});
    return ok;
  }
  // A new timeslot that declares namespaces (or has other attributes): forget its predecessor's.
  void enter_declaring_slot() noexcept { slot_entries_.clear(); }

 private:
  struct Entry {
    std::string_view prefix;  // into the document
    bool accepted;
  };
  std::vector<Entry> shared_entries_;
  std::vector<Entry> slot_entries_;
};

void read_timeslot(pugi::xml_node slot, Appointment& a, std::size_t& unreadable, FieldNamespaces& namespaces) {
  std::string scratch;
  const bool slot_declares = static_cast<bool>(slot.first_attribute());
  if (slot_declares) namespaces.enter_declaring_slot();
  std::size_t hint = 0;
  auto read_time = [&](std::string_view text, std::optional<UtcTime>& into) {
    if (text.empty()) return;
    auto t = detail::parse_time(text);
    if (t) into = *t;
    else ++unreadable;
  };
  auto read_bool = [&](std::string_view text, bool& into) {
    if (text.empty()) return;
    auto b = detail::parse_boolean(text);
    if (b) into = *b;
    else ++unreadable;
  };
  for (pugi::xml_node c = slot.first_child(); c; c = c.next_sibling()) {
    // Only elements have a name: text between the fields (mixed content) matches no field.
    const std::string_view qname = c.name();
    const auto colon = qname.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
    const std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    const Field field = field_of(local, hint);
    if (field == Field::unknown || !namespaces.accepted(c, prefix, slot_declares)) continue;
    const std::string_view v = detail::simple_text(c, scratch);
    switch (field) {
      case Field::start: read_time(v, a.start); break;
      case Field::end: read_time(v, a.end); break;
      case Field::facility: a.healthcare_facility = v; break;
      case Field::performer: a.performer = v; break;
      case Field::booking_id: a.booking_id = v; break;
      case Field::subject: a.subject_of_care = v; break;
      case Field::purpose: a.purpose = v; break;
      case Field::reason: a.reason = v; break;
      case Field::resource_name: a.resource_name = v; break;
      case Field::facility_name: a.healthcare_facility_name = v; break;
      case Field::performer_name: a.performer_name = v; break;
      case Field::resource_id: a.resource_id = v; break;
      case Field::time_type_name: a.time_type_name = v; break;
      case Field::time_type_id: a.time_type_id = v; break;
      case Field::care_type_name: a.care_type_name = v; break;
      case Field::care_type_id: a.care_type_id = v; break;
      case Field::cancel_allowed: read_bool(v, a.cancel_booking_allowed); break;
      case Field::rebooking_allowed: read_bool(v, a.rebooking_allowed); break;
      case Field::message_allowed: read_bool(v, a.message_allowed); break;
      case Field::is_invitation: read_bool(v, a.is_invitation); break;
      case Field::unknown: break;
    }
  }
}

}  // namespace

ReadResult<ScheduleResponse> read_schedule_response(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "GetSubjectOfCareScheduleResponse", ns::schedule_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  ScheduleResponse response;
  std::size_t slots = 0;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) ++slots;
  response.appointments.reserve(slots);
  detail::NamespaceCache slot_namespaces;
  FieldNamespaces field_namespaces;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || detail::local_name(c) != "timeslotDetail") continue;
    if (!scheduling_namespace(slot_namespaces.of(c))) continue;
    read_timeslot(c, response.appointments.emplace_back(), response.unreadable_values, field_namespaces);
  }
  if (auto status = detail::find_header(message, "ProcessingStatus", ns::interop_headers)) {
    response.processing_status = detail::processing_status_from_node(status);
  }
  return response;
}

ReadResult<ScheduleRequest> read_schedule_request(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "GetSubjectOfCareSchedule", ns::schedule_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  ScheduleRequest request;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || !scheduling_namespace(detail::namespace_of(c))) continue;
    const auto name = detail::local_name(c);
    if (name == "healthcare_facility") request.healthcare_facility = detail::text_of(c);
    else if (name == "subject_of_care") request.subject_of_care = detail::text_of(c);
  }
  if (request.subject_of_care.empty()) return parse_failure("GetSubjectOfCareSchedule has no subject_of_care");

  if (auto la = detail::find_header(message, "LogicalAddress", ns::registry)) {
    request.logical_address = detail::text_of(la);
    request.addressing = AddressingStyle::logical_address;
  } else if (auto to = detail::find_header(message, "To", ns::ws_addressing)) {
    request.logical_address = detail::text_of(to);
    request.addressing = AddressingStyle::wsa_to;
  } else {
    request.addressing = AddressingStyle::none;
  }
  if (auto actor = detail::find_header(message, "Actor", ns::interop_headers)) {
    Actor a;
    for (pugi::xml_node c = actor.first_child(); c; c = c.next_sibling()) {
      const auto name = detail::local_name(c);
      if (name == "actorId") a.actor_id = detail::text_of(c);
      else if (name == "actorType") a.actor_type = detail::text_of(c);
    }
    request.actor = std::move(a);
  }
  return request;
}

}  // namespace bokade::rivta
