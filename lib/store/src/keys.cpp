#include "bokade/store/keys.hpp"

#include "bokade/core/hsa_id.hpp"

namespace bokade::store {

void append_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

std::uint64_t read_u64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string person_key(const PersonId& person) { return person.str(); }

std::string engagement_key(const PersonId& person, const EngagementKey& key) {
  std::string out;
  append_engagement_key(out, person, key);
  return out;
}

void append_engagement_key(std::string& out, const PersonId& person, const EngagementKey& key) {
  out += person.str();
  bokade::append_engagement_key(out, key);
}

std::optional<EngagementKey> engagement_key_fields(std::string_view stored_key) {
  if (stored_key.size() < person_key_size) return std::nullopt;
  auto k = decode_engagement_key(stored_key.substr(person_key_size));
  if (!k) return std::nullopt;
  return std::move(*k);  // nine strings: a copy would double what reading a person's engagements allocates
}

std::string slice_key(const PersonId& person, std::string_view logical_address) {
  return person.str() + normalise_hsa(logical_address);
}

std::string_view logical_address_of(std::string_view stored_key) {
  return stored_key.size() > person_key_size ? stored_key.substr(person_key_size) : std::string_view{};
}

std::string schedule_key(std::chrono::sys_seconds due, const PersonId& person) {
  std::string k;
  const auto secs = due.time_since_epoch().count();
  append_u64(k, secs < 0 ? 0 : static_cast<std::uint64_t>(secs));
  k += person.str();
  return k;
}

std::optional<ScheduleEntry> parse_schedule_key(std::string_view stored_key) {
  if (stored_key.size() != 8 + person_key_size) return std::nullopt;
  return ScheduleEntry{std::chrono::sys_seconds{std::chrono::seconds{static_cast<std::int64_t>(read_u64(stored_key))}},
                       std::string(stored_key.substr(8))};
}

}  // namespace bokade::store
