// Reading the engagement index messages (FindContent, ProcessNotification), leniently.

#include <algorithm>
#include <array>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/namespaces.hpp"
#include "time_cache.hpp"
#include "xml_reader.hpp"
#include "xml_text.hpp"

namespace bokade::rivta {

namespace {

bool ei_namespace(std::string_view uri) noexcept {
  return uri.empty() || uri == ns::engagement_index || uri == ns::find_content_responder ||
         uri == ns::process_notification_responder;
}

using EiPrefixes = detail::PrefixCache<ei_namespace>;

// What the walk over a message's engagements carries from one field to the next.
template <class Tree>
struct FieldScan {
  EiPrefixes prefixes;
  std::string_view last_prefix;  // of the previous field (see detail::after_prefix)
  detail::LastDay last_day;      // of the previous time value
  detail::ChildWalk<Tree> fields;  // over each engagement's fields in turn
  std::string scratch;             // for text in more than one piece (detail::field_text)
};

// The fields of EngagementType, in schema order, which is the order producers send them in: the
// scan for a name starts after the previous match, so it usually matches at the first compare (a
// predictable branch, where a switch over all names is an indirect jump per field).
struct EngagementField {
  std::string_view name;
  std::string EngagementKey::*text;       // or
  std::optional<UtcTime> Engagement::*time;
};
constexpr std::array<EngagementField, 12> engagement_fields{{
    {"registeredResidentIdentification", &EngagementKey::registered_resident_identification, nullptr},
    {"serviceDomain", &EngagementKey::service_domain, nullptr},
    {"categorization", &EngagementKey::categorization, nullptr},
    {"logicalAddress", &EngagementKey::logical_address, nullptr},
    {"businessObjectInstanceIdentifier", &EngagementKey::business_object_instance_identifier, nullptr},
    {"clinicalProcessInterestId", &EngagementKey::clinical_process_interest_id, nullptr},
    {"mostRecentContent", nullptr, &Engagement::most_recent_content},
    {"sourceSystem", &EngagementKey::source_system, nullptr},
    {"creationTime", nullptr, &Engagement::creation_time},
    {"updateTime", nullptr, &Engagement::update_time},
    {"dataController", &EngagementKey::data_controller, nullptr},
    {"owner", &EngagementKey::owner, nullptr},
}};

const EngagementField* engagement_field(std::string_view name, std::size_t& hint) noexcept {
  for (std::size_t k = 0; k < engagement_fields.size(); ++k) {
    std::size_t idx = hint + k;
    if (idx >= engagement_fields.size()) idx -= engagement_fields.size();
    if (detail::equal(name, engagement_fields[idx].name)) {
      hint = idx + 1;
      return &engagement_fields[idx];
    }
  }
  return nullptr;
}

// The field after `hint` whose name local_name_is proves: where optional fields are absent (a
// notification without creationTime and updateTime), found without a strlen, and without asking
// for the field's attributes. Null when none is proven (then look with engagement_field).
const EngagementField* proven_field(const char* local, const char* value, std::size_t& hint) noexcept {
  for (std::size_t idx = hint; idx < engagement_fields.size(); ++idx) {
    if (detail::local_name_is(local, value, engagement_fields[idx].name)) {
      hint = idx + 1;
      return &engagement_fields[idx];
    }
  }
  return nullptr;
}

// Reads the fields of one engagement element (at `depth`) into `e`, in one walk over its children
// (with Tree = Calls, four library calls per field — first_child, name, value and the walk's step —
// five when its name is not proven by qualified_name_is or local_name_is). Returns false when a
// field's subtree is nested too deep; the caller then refuses the document (the walk checks the
// depth of every node below the engagement: a field without children at depth + 1 is within the
// limit as the caller made sure).
template <class Tree>
bool read_engagement(pugi::xml_node node, std::size_t depth, std::size_t max_depth, bool declarations_above,
                     FieldScan<Tree>& scan, Engagement& e, std::size_t& unreadable) {
  std::size_t hint = 0;
  const bool declarations = declarations_above || detail::present(Tree::first_attribute(node));
  detail::ChildWalk<Tree>& fields = scan.fields;
  for (fields.start(node);; fields.next()) {
    const pugi::xml_node c = fields.node();
    if (!detail::present(c)) break;
    const pugi::xml_node first = Tree::first_child(c);
    if (detail::present(first) && detail::too_deep_below<Tree>(c, depth + 1, max_depth)) return false;
    // Only elements have a name: text and CDATA between the fields match no field.
    const char* qname = Tree::name(c);
    const char* value = Tree::value(c);
    std::string_view prefix;
    const EngagementField* field = nullptr;
    bool field_declares = false;  // a field proven by qualified_name_is or local_name_is has no attributes
    if (hint < engagement_fields.size() &&
        detail::qualified_name_is(qname, value, scan.last_prefix, engagement_fields[hint].name)) {
      // The usual case: the next field in schema order, with the previous field's prefix.
      prefix = scan.last_prefix;
      field = &engagement_fields[hint++];
    } else {
      const char* local = detail::after_prefix(qname, prefix, scan.last_prefix);
      field = proven_field(local, value, hint);
      if (field == nullptr) {
        field = engagement_field(local, hint);
        if (field == nullptr) continue;
        field_declares = detail::present(Tree::first_attribute(c));
      }
    }
    if (!scan.prefixes.accepted(c, prefix, declarations || field_declares)) continue;
    const std::string_view text = detail::field_text<Tree>(value, first, scan.scratch);
    if (field->text != nullptr) {
      detail::set_text(e.key.*(field->text), text);
    } else if (!text.empty()) {
      auto t = detail::parse_time(text, scan.last_day);
      if (t) e.*(field->time) = *t;
      else ++unreadable;
    }
  }
  return true;
}

// The transactions of a ProcessNotification, read in one walk that also bounds their depth. Depths
// below the payload: transaction +1, its deleteFlag and engagement +2, the engagement's fields +3,
// their text +4; the caller has checked the payload in full when that does not fit the limit.
template <class Tree>
std::optional<ReadError> read_transactions(const detail::ParsedMessage& message, const ReaderLimits& limits,
                                           ProcessNotification& notification) {
  auto failure = [&](std::string reason) { return detail::deferred_failure(message, std::move(reason)); };
  const std::size_t payload_depth = message.payload_depth;
  // Both walks over the payload's children use one walk object (see detail::ChildWalk), as do the
  // walks over each transaction's parts.
  detail::ChildWalk<Tree> walk;
  std::size_t children = 0;
  for (walk.start(message.payload); detail::present(walk.node()) && children <= limits.max_transactions; walk.next()) {
    ++children;
  }
  notification.transactions.reserve(children);
  FieldScan<Tree> scan;
  detail::ChildWalk<Tree> parts;
  for (walk.start(message.payload);; walk.next()) {
    const pugi::xml_node t = walk.node();
    if (!detail::present(t)) break;
    if (!detail::equal(detail::element_name(Tree::name(t)).local, "engagementTransaction")) {
      // Text, CDATA or another element: not read, but within the depth limit.
      if (detail::present(Tree::first_child(t)) && detail::too_deep_below<Tree>(t, payload_depth + 1, limits.max_depth)) {
        return detail::too_deep_error(limits.max_depth);
      }
      continue;
    }
    const std::size_t index = notification.transactions.size();
    if (index == limits.max_transactions) {
      return failure("ProcessNotification holds more than " + std::to_string(limits.max_transactions) + " transactions");
    }
    EngagementTransaction& tx = notification.transactions.emplace_back();
    const bool declarations = detail::present(Tree::first_attribute(t));
    bool has_engagement = false;
    for (parts.start(t);; parts.next()) {
      const pugi::xml_node c = parts.node();
      if (!detail::present(c)) break;
      const std::string_view name = detail::element_name(Tree::name(c)).local;
      if (detail::equal(name, "engagement")) {
        // Its depth is bounded by read_engagement.
        if (has_engagement) tx.engagement = Engagement{};  // the last one counts, as a whole
        if (!read_engagement<Tree>(c, payload_depth + 2, limits.max_depth, declarations, scan, tx.engagement,
                                   notification.unreadable_values)) {
          return detail::too_deep_error(limits.max_depth);
        }
        has_engagement = true;
        continue;
      }
      const pugi::xml_node grandchild = Tree::first_child(c);
      if (detail::present(grandchild) && detail::too_deep_below<Tree>(c, payload_depth + 2, limits.max_depth)) {
        return detail::too_deep_error(limits.max_depth);
      }
      if (detail::equal(name, "deleteFlag")) {
        // A misread delete flag would remove or keep the wrong booking: unreadable = refused.
        auto flag = detail::parse_boolean(detail::field_text<Tree>(Tree::value(c), grandchild, scan.scratch));
        if (!flag) return failure("engagementTransaction " + std::to_string(index) + " has an unreadable deleteFlag");
        tx.delete_flag = *flag;
      }
    }
    if (!has_engagement) return failure("engagementTransaction " + std::to_string(index) + " has no engagement");
  }
  return std::nullopt;
}

std::string header_logical_address(const detail::ParsedMessage& message) {
  if (auto la = detail::find_header(message, "LogicalAddress", ns::registry)) return detail::text_of(la);
  if (auto to = detail::find_header(message, "To", ns::ws_addressing)) return detail::text_of(to);
  return {};
}

}  // namespace

ReadResult<std::vector<Engagement>> read_find_content_response(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "FindContentResponse", ns::find_content_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  std::vector<Engagement> engagements;
  std::size_t unreadable = 0;
  FieldScan<detail::Calls> scan;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || detail::local_name(c) != "engagement") continue;
    if (!read_engagement<detail::Calls>(c, message.payload_depth + 1, limits.max_depth, false, scan,
                                        engagements.emplace_back(), unreadable)) {
      return parse_failure("elements nested deeper than " + std::to_string(limits.max_depth));
    }
  }
  return engagements;
}

ReadResult<FindContentRequest> read_find_content_request(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "FindContent", ns::find_content_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  FindContentRequest r;
  r.logical_address = header_logical_address(message);
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || !ei_namespace(detail::namespace_of(c))) continue;
    const auto name = detail::local_name(c);
    if (name == "registeredResidentIdentification") r.registered_resident_identification = detail::text_of(c);
    else if (name == "serviceDomain") r.service_domain = detail::text_of(c);
    else if (name == "categorization") r.categorization = detail::text_of(c);
    else if (name == "logicalAddress") r.logical_address_filter = detail::text_of(c);
    else if (name == "businessObjectInstanceIdentifier") r.business_object_instance_identifier = detail::text_of(c);
    else if (name == "clinicalProcessInterestId") r.clinical_process_interest_id = detail::text_of(c);
    else if (name == "sourceSystem") r.source_system = detail::text_of(c);
    else if (name == "dataController") r.data_controller = detail::text_of(c);
    else if (name == "owner") r.owner = detail::text_of(c);
  }
  if (r.registered_resident_identification.empty()) {
    return parse_failure("FindContent has no registeredResidentIdentification");
  }
  return r;
}

ReadResult<ProcessNotification> read_process_notification(std::string_view bytes, const ReaderLimits& limits) {
  // The depth of the transactions is bounded in the one walk that reads them.
  auto parsed = detail::parse_message(bytes, limits, detail::Depth::deferred);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "ProcessNotification", ns::process_notification_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  auto fail = [&](std::string reason) { return Unexpected<ReadError>{detail::deferred_failure(message, std::move(reason))}; };
  // When the transactions' depths (see read_transactions) fit, the walk checks only what lies deeper
  // (the children of the fields or of unknown elements); otherwise the payload is checked in full first.
  const std::size_t payload_depth = message.payload_depth;
  if (payload_depth + 4 > std::max<std::size_t>(limits.max_depth, 1) &&
      detail::subtree_too_deep(message.payload, payload_depth, limits.max_depth)) {
    return Unexpected<ReadError>{detail::too_deep_error(limits.max_depth)};
  }
  ProcessNotification notification;
  notification.logical_address = header_logical_address(message);
  const auto error = read_transactions<detail::Calls>(message, limits, notification);
  if (error) return Unexpected<ReadError>{*error};
  if (notification.transactions.empty()) return fail("ProcessNotification holds no engagementTransaction");
  return notification;
}

ReadResult<ProcessNotificationResult> read_process_notification_response(std::string_view bytes,
                                                                         const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "ProcessNotificationResponse", ns::process_notification_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  ProcessNotificationResult r;
  bool has_code = false;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    const auto name = detail::local_name(c);
    if (name == "ResultCode") {
      const auto code = detail::text_of(c);
      has_code = true;
      if (code == "OK") r.result = ResultCode::ok;
      else if (code == "ERROR") r.result = ResultCode::error;
      else if (code == "INFO") r.result = ResultCode::info;
      else return parse_failure("ProcessNotificationResponse has an unknown ResultCode");
    } else if (name == "comment") {
      r.comment = detail::text_of(c);
    }
  }
  if (!has_code) return parse_failure("ProcessNotificationResponse has no ResultCode");
  return r;
}

}  // namespace bokade::rivta
