#pragma once
// Key layout of every column family (ARCHITECTURE.md §4). A person id is always its 12-character
// canonical form, so it is a fixed-width prefix: all of one person's data is one prefix scan.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bokade/core/engagement.hpp"
#include "bokade/core/person_id.hpp"

namespace bokade::store {

inline constexpr std::size_t person_key_size = 12;

// persons: person
std::string person_key(const PersonId& person);

// engagements: person · the nine-field engagement key (length-prefixed, see encode_engagement_key).
// The person prefix is the engagement's own registeredResidentIdentification in canonical form.
std::string engagement_key(const PersonId& person, const EngagementKey& key);
// The same key appended to `out` (for a caller that keeps many keys in one buffer).
void append_engagement_key(std::string& out, const PersonId& person, const EngagementKey& key);
std::optional<EngagementKey> engagement_key_fields(std::string_view stored_key);

// slices and relations: person · normalised logical address (upper case; the rest of the key).
std::string slice_key(const PersonId& person, std::string_view logical_address);
// The logical address part of a slice or relation key.
std::string_view logical_address_of(std::string_view stored_key);

// schedule: due time (8-byte big-endian Unix seconds) · person, so a scan from the start yields the
// persons due first.
std::string schedule_key(std::chrono::sys_seconds due, const PersonId& person);
struct ScheduleEntry {
  std::chrono::sys_seconds due;
  std::string person;  // canonical id
};
std::optional<ScheduleEntry> parse_schedule_key(std::string_view stored_key);

// Fixed-width big-endian integers, so that byte order is numeric order.
void append_u64(std::string& out, std::uint64_t v);
std::uint64_t read_u64(std::string_view bytes);

}  // namespace bokade::store
