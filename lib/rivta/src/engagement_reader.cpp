// Reading the engagement index messages (FindContent, ProcessNotification), leniently.

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

Engagement read_engagement(pugi::xml_node node, detail::NamespaceCache& namespaces, std::size_t& unreadable) {
  Engagement e;
  EngagementKey& k = e.key;
  auto read_time = [&](pugi::xml_node c, std::optional<UtcTime>& into) {
    const auto text = detail::text_of(c);
    if (text.empty()) return;
    auto t = detail::parse_time(text);
    if (t) into = *t;
    else ++unreadable;
  };
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || !ei_namespace(namespaces.of(c))) continue;
    const auto name = detail::local_name(c);
    if (name == "registeredResidentIdentification") k.registered_resident_identification = detail::text_of(c);
    else if (name == "serviceDomain") k.service_domain = detail::text_of(c);
    else if (name == "categorization") k.categorization = detail::text_of(c);
    else if (name == "logicalAddress") k.logical_address = detail::text_of(c);
    else if (name == "businessObjectInstanceIdentifier") k.business_object_instance_identifier = detail::text_of(c);
    else if (name == "clinicalProcessInterestId") k.clinical_process_interest_id = detail::text_of(c);
    else if (name == "mostRecentContent") read_time(c, e.most_recent_content);
    else if (name == "sourceSystem") k.source_system = detail::text_of(c);
    else if (name == "creationTime") read_time(c, e.creation_time);
    else if (name == "updateTime") read_time(c, e.update_time);
    else if (name == "dataController") k.data_controller = detail::text_of(c);
    else if (name == "owner") k.owner = detail::text_of(c);
  }
  return e;
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
  detail::NamespaceCache namespaces;
  for (pugi::xml_node c = message.payload.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || detail::local_name(c) != "engagement") continue;
    engagements.push_back(read_engagement(c, namespaces, unreadable));
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
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (auto error = detail::check_payload(message, "ProcessNotification", ns::process_notification_responder)) {
    return Unexpected<ReadError>{std::move(*error)};
  }
  ProcessNotification notification;
  notification.logical_address = header_logical_address(message);
  std::size_t children = 0;
  for (pugi::xml_node c = message.payload.first_child(); c && children <= limits.max_transactions; c = c.next_sibling()) {
    ++children;
  }
  notification.transactions.reserve(children);
  detail::NamespaceCache namespaces;
  for (pugi::xml_node t = message.payload.first_child(); t; t = t.next_sibling()) {
    if (t.type() != pugi::node_element || detail::local_name(t) != "engagementTransaction") continue;
    const std::size_t index = notification.transactions.size();
    if (index == limits.max_transactions) {
      return parse_failure("ProcessNotification holds more than " + std::to_string(limits.max_transactions) +
                           " transactions");
    }
    EngagementTransaction tx;
    bool has_engagement = false;
    for (pugi::xml_node c = t.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = detail::local_name(c);
      if (name == "deleteFlag") {
        // A misread delete flag would remove or keep the wrong booking: unreadable = refused.
        auto flag = detail::parse_boolean(detail::text_of(c));
        if (!flag) return parse_failure("engagementTransaction " + std::to_string(index) + " has an unreadable deleteFlag");
        tx.delete_flag = *flag;
      } else if (name == "engagement") {
        tx.engagement = read_engagement(c, namespaces, notification.unreadable_values);
        has_engagement = true;
      }
    }
    if (!has_engagement) return parse_failure("engagementTransaction " + std::to_string(index) + " has no engagement");
    notification.transactions.push_back(std::move(tx));
  }
  if (notification.transactions.empty()) return parse_failure("ProcessNotification holds no engagementTransaction");
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
