#pragma once
// TAK, the platform's routing and permission table, for the simulated world: which consumer may call
// which logical address (anropsbehörighet, with validity windows) and where each address is routed
// (vägval → anropsadress). VP decides with it, and it is exported in the real TAK export JSON format.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "world.hpp"

namespace bokade::sim {

struct TakAddresses {
  std::vector<std::string> producer_urls;  // per system: its own listener
  std::string find_content_url;            // EI's FindContent producer
  std::string subscriber_url;              // ProcessNotification producer (the daemon); empty = none
};

class Tak {
 public:
  Tak(const World& world, std::string consumer_hsa_id, std::string ei_logical_address);

  [[nodiscard]] const std::string& consumer() const noexcept { return consumer_; }
  [[nodiscard]] const std::string& ei_logical_address() const noexcept { return ei_logical_address_; }
  // Whether `consumer` holds an anropsbehörighet valid now for GetSubjectOfCareSchedule at `clinic`.
  [[nodiscard]] bool may_call_schedule(std::string_view consumer, std::size_t clinic) const;
  [[nodiscard]] bool may_call_find_content(std::string_view consumer) const;

  // The TAK export (formatVersion 1) of the whole world.
  [[nodiscard]] std::string export_json(const TakAddresses& addresses) const;

 private:
  const World& world_;
  std::string consumer_;
  std::string ei_logical_address_;
};

inline constexpr std::string_view schedule_contract = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1";
inline constexpr std::string_view find_content_contract = "urn:riv:itintegration:engagementindex:FindContentResponder:1";
inline constexpr std::string_view process_notification_contract =
    "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1";

}  // namespace bokade::sim
