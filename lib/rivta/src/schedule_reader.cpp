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

// The fields other than text: read by a switch. Text fields are read through their member pointer
// (one call site for all fourteen, where set_text is inlined).
enum class Field : unsigned char {
  text, start, end, cancel_allowed, rebooking_allowed, message_allowed, is_invitation, unknown
};

struct FieldName {
  std::string_view name;
  Field field;
  std::string Appointment::*text = nullptr;  // for Field::text
};

// In schema order, which is the order producers send them in, so the scan usually stops early.
constexpr std::array<FieldName, 20> timeslot_fields{{
    {"startTimeInclusive", Field::start},
    {"endTimeExclusive", Field::end},
    {"healthcare_facility", Field::text, &Appointment::healthcare_facility},
    {"performer", Field::text, &Appointment::performer},
    {"bookingId", Field::text, &Appointment::booking_id},
    {"subject_of_care", Field::text, &Appointment::subject_of_care},
    {"purpose", Field::text, &Appointment::purpose},
    {"reason", Field::text, &Appointment::reason},
    {"resourceName", Field::text, &Appointment::resource_name},
    {"healthcare_facility_name", Field::text, &Appointment::healthcare_facility_name},
    {"performerName", Field::text, &Appointment::performer_name},
    {"resourceID", Field::text, &Appointment::resource_id},
    {"timeTypeName", Field::text, &Appointment::time_type_name},
    {"timeTypeID", Field::text, &Appointment::time_type_id},
    {"careTypeName", Field::text, &Appointment::care_type_name},
    {"careTypeID", Field::text, &Appointment::care_type_id},
    {"cancel_booking_allowed", Field::cancel_allowed},
    {"rebooking_allowed", Field::rebooking_allowed},
    {"message_allowed", Field::message_allowed},
    {"isInvitation", Field::is_invitation},
}};

const FieldName* field_of(std::string_view name, std::size_t& hint) noexcept {
  for (std::size_t k = 0; k < timeslot_fields.size(); ++k) {
    std::size_t idx = hint + k;
    if (idx >= timeslot_fields.size()) idx -= timeslot_fields.size();
    if (detail::equal(name, timeslot_fields[idx].name)) {
      hint = idx + 1;
      return &timeslot_fields[idx];
    }
  }
  return nullptr;
}

// Producers put TimeslotType fields in the core, the 1.1 extension or the responder namespace, or in
// none at all; anything else is somebody's extension (xs:any ##other) and is ignored.
bool scheduling_namespace(std::string_view uri) noexcept {
  return uri.empty() || uri == ns::crm_scheduling || uri == ns::crm_scheduling_ext || uri == ns::schedule_responder;
}

// Whether a timeslot's or field's namespace is one of the scheduling namespaces. An element's
// namespace depends on its prefix and on the xmlns declarations of it and its ancestors. Timeslots
// and fields without attributes (so without declarations) in timeslots without attributes resolve
// their prefix where the response element does: looked up once per prefix for the whole response
// (producers use one or two). Fields without attributes in a timeslot with attributes share one
// lookup per prefix within their timeslot; fields with attributes are looked up on their own.
using SchedulingPrefixes = detail::PrefixCache<scheduling_namespace>;

template <class Tree>
struct SlotContext {
  SchedulingPrefixes& response_prefixes;  // scope: the response element
  SchedulingPrefixes& slot_prefixes;      // scope: the current timeslot, when it has attributes
  std::size_t depth;                      // of the timeslot
  std::size_t max_depth;
  std::size_t& unreadable;
  std::string scratch;
  std::string_view last_prefix;  // of the previous field (see detail::after_prefix)
  detail::LastDay last_day;      // of the previous time value
  detail::ChildWalk<Tree> fields;  // over each timeslot's fields in turn
};

// Reads one timeslot (`slot_declares`: whether it has attributes): one walk over its fields (with
// Tree = Calls, four library calls per field — first_child, name, value and ChildWalk's step —
// five when its name is not where qualified_name_is and local_name_is look first). Returns false
// when a field's subtree is nested too deep (fields without children are within the limit, as the
// caller made sure).
template <class Tree>
bool read_timeslot(pugi::xml_node slot, bool slot_declares, Appointment& a, SlotContext<Tree>& ctx) {
  if (slot_declares) ctx.slot_prefixes.clear();
  std::size_t hint = 0;
  auto read_time = [&](std::string_view text, std::optional<UtcTime>& into) {
    if (text.empty()) return;
    auto t = detail::parse_time(text, ctx.last_day);
    if (t) into = *t;
    else ++ctx.unreadable;
  };
  auto read_bool = [&](std::string_view text, bool& into) {
    if (text.empty()) return;
    auto b = detail::parse_boolean(text);
    if (b) into = *b;
    else ++ctx.unreadable;
  };
  for (ctx.fields.start(slot);; ctx.fields.next()) {
    const pugi::xml_node c = ctx.fields.node();
    if (!detail::present(c)) break;
    const pugi::xml_node first = Tree::first_child(c);
    if (detail::present(first) && detail::too_deep_below<Tree>(c, ctx.depth + 1, ctx.max_depth)) return false;
    // Only elements have a name: text between the fields (mixed content) matches no field.
    const char* qname = Tree::name(c);
    const char* value = Tree::value(c);
    std::string_view prefix;
    const FieldName* field = nullptr;
    bool field_declares = false;  // a field proven by qualified_name_is or local_name_is has no attributes
    if (hint < timeslot_fields.size() &&
        detail::qualified_name_is(qname, value, ctx.last_prefix, timeslot_fields[hint].name)) {
      // The usual case: the next field in schema order, with the previous field's prefix.
      prefix = ctx.last_prefix;
      field = &timeslot_fields[hint++];
    } else {
      const char* local = detail::after_prefix(qname, prefix, ctx.last_prefix);
      if (hint < timeslot_fields.size() && detail::local_name_is(local, value, timeslot_fields[hint].name)) {
        field = &timeslot_fields[hint++];
      } else {
        field = field_of(local, hint);
        if (field == nullptr) continue;
        field_declares = detail::present(Tree::first_attribute(c));
      }
    }
    const bool accepted = slot_declares ? ctx.slot_prefixes.accepted(c, prefix, field_declares)
                                        : ctx.response_prefixes.accepted(c, prefix, field_declares);
    if (!accepted) continue;
    const std::string_view v = detail::field_text<Tree>(value, first, ctx.scratch);
    switch (field->field) {
      case Field::text: detail::set_text(a.*(field->text), v); break;
      case Field::start: read_time(v, a.start); break;
      case Field::end: read_time(v, a.end); break;
      case Field::cancel_allowed: read_bool(v, a.cancel_booking_allowed); break;
      case Field::rebooking_allowed: read_bool(v, a.rebooking_allowed); break;
      case Field::message_allowed: read_bool(v, a.message_allowed); break;
      case Field::is_invitation: read_bool(v, a.is_invitation); break;
      case Field::unknown: break;
    }
  }
  return true;
}

// The timeslots of a response, read in one walk that also bounds their depth (depths below the
// response element: timeslot +1, field +2, its text +3; the caller has checked the response in full
// when that does not fit the limit). Returns false when something lies too deep.
template <class Tree>
bool read_timeslots(const detail::ParsedMessage& message, const ReaderLimits& limits, ScheduleResponse& response) {
  const std::size_t payload_depth = message.payload_depth;
  std::size_t slots = 0;
  // One walk object for both walks over the timeslots (see detail::ChildWalk).
  detail::ChildWalk<Tree> children;
  for (children.start(message.payload); detail::present(children.node()); children.next()) ++slots;
  response.appointments.reserve(slots);
  // The timeslot elements have a cache of their own (same scope as the fields'), so that each
  // cache's last answer stays the one for its usual prefix.
  SchedulingPrefixes timeslot_prefixes;
  SchedulingPrefixes response_prefixes;
  SchedulingPrefixes slot_prefixes;
  std::string_view last_timeslot_prefix;
  SlotContext<Tree> ctx{response_prefixes, slot_prefixes, payload_depth + 1, limits.max_depth, response.unreadable_values, {}, {}, {}, {}};
  for (children.start(message.payload);; children.next()) {
    const pugi::xml_node c = children.node();
    if (!detail::present(c)) break;
    std::string_view prefix;
    const std::string_view local = detail::after_prefix(Tree::name(c), prefix, last_timeslot_prefix);
    const bool timeslot = detail::equal(local, "timeslotDetail");
    const bool declares = timeslot && detail::present(Tree::first_attribute(c));
    if (!timeslot || !timeslot_prefixes.accepted(c, prefix, declares)) {
      // Text, CDATA or another element: not read, but within the depth limit.
      if (detail::present(Tree::first_child(c)) && detail::too_deep_below<Tree>(c, payload_depth + 1, limits.max_depth)) {
        return false;
      }
      continue;
    }
    if (!read_timeslot<Tree>(c, declares, response.appointments.emplace_back(), ctx)) return false;
  }
  return true;
}

}  // namespace

ReadResult<ScheduleResponse> read_schedule_response(std::string_view bytes, const ReaderLimits& limits) {
  // The depth of the timeslots is bounded in the one walk that reads them.
  auto parsed = detail::parse_message(bytes, limits, detail::Depth::deferred);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "GetSubjectOfCareScheduleResponse", ns::schedule_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  const auto too_deep = [&] { return Unexpected<ReadError>{detail::too_deep_error(limits.max_depth)}; };
  // Depths below the response element: timeslot +1, field +2, its text +3. When all of that fits,
  // the walk checks only what lies deeper; otherwise the response is checked in full first.
  const std::size_t payload_depth = message.payload_depth;
  if (payload_depth + 3 > std::max<std::size_t>(limits.max_depth, 1) &&
      detail::subtree_too_deep(message.payload, payload_depth, limits.max_depth)) {
    return too_deep();
  }
  ScheduleResponse response;
  if (!read_timeslots<detail::Calls>(message, limits, response)) {
    return too_deep();
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
