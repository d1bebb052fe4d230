#pragma once
// Test data for the engagement follower: valid personnummer and scheduling engagements.

#include <string>

#include <fmt/format.h>

#include "bokade/rivta/engagement_index.hpp"

namespace bokade::test {

// A valid personnummer: born in January 1950, day and serial number from n (distinct for n < 28000).
inline std::string personnummer(int n) {
  const int day = 1 + (n / 1000) % 28;
  const std::string ten = fmt::format("5001{:02}{:03}", day, n % 1000);
  int sum = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    int d = ten[i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return "19" + ten + std::to_string((10 - sum % 10) % 10);
}

inline rivta::EngagementTransaction booking(const std::string& person, const std::string& la, const std::string& id,
                                            const std::string& update_time = "20261101120000", bool remove = false) {
  rivta::EngagementTransaction t;
  t.delete_flag = remove;
  auto& k = t.engagement.key;
  k.registered_resident_identification = person;
  k.service_domain = "riv:crm:scheduling";
  k.categorization = "NA";
  k.logical_address = la;
  k.business_object_instance_identifier = id;
  k.clinical_process_interest_id = "NA";
  k.source_system = "SE2321000016-COSMIC";
  k.data_controller = "2321000016";
  k.owner = "SE2321000016-COSMIC";
  t.engagement.most_recent_content = *parse_rivta_time("20261201090000");
  t.engagement.creation_time = *parse_rivta_time("20261001000000");
  t.engagement.update_time = *parse_rivta_time(update_time);
  return t;
}

}  // namespace bokade::test
