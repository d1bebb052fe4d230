#pragma once
// The XML namespace URIs bokade reads and writes. Readers match local names and check these URIs
// where they decide which document they hold; writers always bind exactly these.

#include <string_view>

namespace bokade::rivta::ns {

inline constexpr std::string_view soap11_envelope = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view soap12_envelope = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view ws_addressing = "http://www.w3.org/2005/08/addressing";

// RIVTA 2.1 routing header (itr:LogicalAddress) and the interoperability headers (Actor, ProcessingStatus).
inline constexpr std::string_view registry = "urn:riv:itintegration:registry:1";
inline constexpr std::string_view interop_headers = "urn:riv:interoperability:headers:1";

// crm:scheduling 1.0 / 1.1 (the 1.1 extension elements live in their own namespace).
inline constexpr std::string_view crm_scheduling = "urn:riv:crm:scheduling:1";
inline constexpr std::string_view crm_scheduling_ext = "urn:riv:crm:scheduling:1.1";
inline constexpr std::string_view schedule_responder = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1";

// Engagement index 1.0.
inline constexpr std::string_view engagement_index = "urn:riv:itintegration:engagementindex:1";
inline constexpr std::string_view find_content_responder = "urn:riv:itintegration:engagementindex:FindContentResponder:1";
inline constexpr std::string_view process_notification_responder =
    "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1";

}  // namespace bokade::rivta::ns
