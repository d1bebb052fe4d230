#pragma once
// Engagement: one row of the national engagement index — "this logical address holds information of
// this kind about this person". Its unique key is nine fields, owner included.

#include <optional>
#include <string>
#include <string_view>

#include "bokade/core/expected.hpp"
#include "bokade/core/rivta_time.hpp"

namespace bokade {

inline constexpr std::string_view service_domain_crm_scheduling = "riv:crm:scheduling";
inline constexpr std::string_view service_domain_logistics_scheduling = "riv:supportprocess:logistics:scheduling";

struct EngagementKey {
  std::string registered_resident_identification;  // personnummer
  std::string service_domain;
  std::string categorization;
  std::string logical_address;
  std::string business_object_instance_identifier;  // = bookingId
  std::string clinical_process_interest_id;
  std::string source_system;
  std::string data_controller;
  std::string owner;

  friend bool operator==(const EngagementKey&, const EngagementKey&) = default;
  friend auto operator<=>(const EngagementKey&, const EngagementKey&) = default;
};

// Unambiguous binary encoding: each of the nine fields as a 2-byte big-endian length and its bytes,
// in the order declared above. No two different keys encode alike, whatever bytes the fields hold.
std::string encode_engagement_key(const EngagementKey& key);
// The same encoding appended to `out` (for a caller that builds many keys in one buffer).
void append_engagement_key(std::string& out, const EngagementKey& key);
Expected<EngagementKey> decode_engagement_key(std::string_view bytes);

struct Engagement {
  EngagementKey key;
  std::optional<UtcTime> most_recent_content;  // v1: the booking's start time
  std::optional<UtcTime> creation_time;
  std::optional<UtcTime> update_time;

  friend bool operator==(const Engagement&, const Engagement&) = default;
};

// A scheduling engagement (either service domain), compared case-insensitively.
bool is_scheduling_domain(std::string_view service_domain) noexcept;

}  // namespace bokade
