// Writing the engagement index messages strictly (TD_ENGAGEMENTINDEX_1_0_R).

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/namespaces.hpp"
#include "xml_text.hpp"
#include "xml_writer.hpp"

namespace bokade::rivta {

namespace {

Status check_engagement(const Engagement& e, std::size_t index) {
  if (!detail::matches_resident_id_pattern(e.key.registered_resident_identification)) {
    return fail("engagement " + std::to_string(index) +
                ": registeredResidentIdentification must match [0-9]{8}[0-9pPtTfF][0-9]{3}");
  }
  return {};
}

void write_time(detail::XmlWriter& w, std::string_view qname, const std::optional<UtcTime>& t) {
  if (t) w.element(qname, format_rivta_time(*t));
}

// The EngagementType fields, in schema order, in the core namespace bound to prefix "ei".
void write_engagement_fields(detail::XmlWriter& w, const Engagement& e) {
  const EngagementKey& k = e.key;
  w.element("ei:registeredResidentIdentification", k.registered_resident_identification);
  w.element("ei:serviceDomain", k.service_domain);
  w.element("ei:categorization", k.categorization);
  w.element("ei:logicalAddress", k.logical_address);
  w.element("ei:businessObjectInstanceIdentifier", k.business_object_instance_identifier);
  w.element("ei:clinicalProcessInterestId", k.clinical_process_interest_id);
  write_time(w, "ei:mostRecentContent", e.most_recent_content);
  w.element("ei:sourceSystem", k.source_system);
  write_time(w, "ei:creationTime", e.creation_time);
  write_time(w, "ei:updateTime", e.update_time);
  w.element("ei:dataController", k.data_controller);
  w.optional_element("ei:owner", k.owner);
}

}  // namespace

Expected<std::string> write_find_content_request(const FindContentRequest& r) {
  if (!detail::matches_resident_id_pattern(r.registered_resident_identification)) {
    return fail("registeredResidentIdentification must match [0-9]{8}[0-9pPtTfF][0-9]{3}");
  }
  if (r.service_domain.empty()) return fail("serviceDomain is empty");
  if (r.logical_address.empty()) return fail("logical address is empty");
  detail::XmlWriter w(1024);
  w.begin_envelope({{"itr", ns::registry}, {"fc", ns::find_content_responder}});
  w.open("soapenv:Header");
  w.element("itr:LogicalAddress", r.logical_address);
  w.close("soapenv:Header");
  w.open("soapenv:Body");
  w.open("fc:FindContent");
  w.element("fc:registeredResidentIdentification", r.registered_resident_identification);
  w.element("fc:serviceDomain", r.service_domain);
  w.optional_element("fc:categorization", r.categorization);
  w.optional_element("fc:logicalAddress", r.logical_address_filter);
  w.optional_element("fc:businessObjectInstanceIdentifier", r.business_object_instance_identifier);
  w.optional_element("fc:clinicalProcessInterestId", r.clinical_process_interest_id);
  w.optional_element("fc:sourceSystem", r.source_system);
  w.optional_element("fc:dataController", r.data_controller);
  w.optional_element("fc:owner", r.owner);
  w.close("fc:FindContent");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

Expected<std::string> write_find_content_response(std::span<const Engagement> engagements) {
  for (std::size_t i = 0; i < engagements.size(); ++i) {
    if (auto ok = check_engagement(engagements[i], i); !ok) return fail(ok.error().message);
  }
  detail::XmlWriter w(512 + engagements.size() * 900);
  w.begin_envelope({});
  w.open("soapenv:Body");
  w.open("fc:FindContentResponse", {{"fc", ns::find_content_responder}, {"ei", ns::engagement_index}});
  for (const Engagement& e : engagements) {
    w.open("fc:engagement");
    write_engagement_fields(w, e);
    w.close("fc:engagement");
  }
  w.close("fc:FindContentResponse");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

Expected<std::string> write_process_notification(std::string_view logical_address,
                                                 std::span<const EngagementTransaction> transactions) {
  if (logical_address.empty()) return fail("logical address is empty");
  if (transactions.empty()) return fail("a ProcessNotification needs at least one transaction");
  for (std::size_t i = 0; i < transactions.size(); ++i) {
    if (auto ok = check_engagement(transactions[i].engagement, i); !ok) return fail(ok.error().message);
  }
  detail::XmlWriter w(512 + transactions.size() * 1000);
  w.begin_envelope({{"itr", ns::registry}, {"pn", ns::process_notification_responder}, {"ei", ns::engagement_index}});
  w.open("soapenv:Header");
  w.element("itr:LogicalAddress", logical_address);
  w.close("soapenv:Header");
  w.open("soapenv:Body");
  w.open("pn:ProcessNotification");
  for (const EngagementTransaction& tx : transactions) {
    w.open("pn:engagementTransaction");
    w.boolean("ei:deleteFlag", tx.delete_flag);
    w.open("ei:engagement");
    write_engagement_fields(w, tx.engagement);
    w.close("ei:engagement");
    w.close("pn:engagementTransaction");
  }
  w.close("pn:ProcessNotification");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

std::string write_process_notification_response(const ProcessNotificationResult& result) {
  detail::XmlWriter w(512 + result.comment.size());
  w.begin_envelope({});
  w.open("soapenv:Body");
  w.open("pn:ProcessNotificationResponse", {{"pn", ns::process_notification_responder}});
  w.element("pn:ResultCode", result.result == ResultCode::ok      ? "OK"
                             : result.result == ResultCode::error ? "ERROR"
                                                                  : "INFO");
  w.optional_element("pn:comment", result.comment);
  w.close("pn:ProcessNotificationResponse");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

}  // namespace bokade::rivta
