#include "bokade/core/text.hpp"
#include "bokade/core/engagement.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <type_traits>

#include <fmt/format.h>

namespace bokade {
namespace {

// The nine key fields in encoding order; K is EngagementKey or const EngagementKey.
template <class K>
auto fields(K& k) {
  using Ptr = std::conditional_t<std::is_const_v<K>, const std::string*, std::string*>;
  return std::array<Ptr, 9>{&k.registered_resident_identification, &k.service_domain, &k.categorization,
          &k.logical_address, &k.business_object_instance_identifier, &k.clinical_process_interest_id,
          &k.source_system, &k.data_controller, &k.owner};
}


}  // namespace

std::string encode_engagement_key(const EngagementKey& key) {
  std::string out;
  append_engagement_key(out, key);
  return out;
}

void append_engagement_key(std::string& out, const EngagementKey& key) {
  std::size_t total = out.size();
  for (const auto* f : fields(key)) total += 2 + f->size();
  if (total > out.capacity()) out.reserve(std::max(total, 2 * out.capacity()));  // geometric when appending
  for (const auto* f : fields(key)) {
    // Fields longer than 65535 bytes cannot come from a schema-valid message; cut rather than corrupt.
    const std::size_t n = f->size() > 0xFFFF ? 0xFFFF : f->size();
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
    out.append(f->data(), n);
  }
}

Expected<EngagementKey> decode_engagement_key(std::string_view bytes) {
  EngagementKey key;
  std::size_t pos = 0;
  std::size_t index = 0;
  for (auto* f : fields(key)) {
    if (bytes.size() - pos < 2) return fail(fmt::format("engagement key truncated before field {}", index + 1));
    const std::size_t n = (static_cast<unsigned char>(bytes[pos]) << 8) | static_cast<unsigned char>(bytes[pos + 1]);
    pos += 2;
    if (bytes.size() - pos < n) return fail(fmt::format("engagement key truncated inside field {}", index + 1));
    f->assign(bytes.substr(pos, n));
    pos += n;
    ++index;
  }
  if (pos != bytes.size()) return fail("engagement key has trailing bytes");
  return key;
}

bool is_scheduling_domain(std::string_view d) noexcept {
  return iequals(d, service_domain_crm_scheduling) || iequals(d, service_domain_logistics_scheduling);
}

}  // namespace bokade
