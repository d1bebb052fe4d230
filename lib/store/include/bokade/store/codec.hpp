#pragma once
// Value encodings of the column families: compact, versioned binary, every field length-prefixed.
// A value this build cannot read is reported, never guessed at.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/appointment.hpp"
#include "bokade/core/engagement.hpp"
#include "bokade/core/expected.hpp"
#include "bokade/core/source_status.hpp"

namespace bokade::store {

// slices: everything one logical address said about one person at one time, and that source's status.
struct Slice {
  SourceStatus status;
  std::vector<Appointment> appointments;
  friend bool operator==(const Slice&, const Slice&) = default;
};

std::string encode_slice(const Slice& slice);
Expected<Slice> decode_slice(std::string_view bytes);

// engagements: the non-key fields of an engagement, and a tombstone flag. A delete is kept as a
// tombstone with its update time so that an older create arriving after it (EI may reorder) is not
// applied.
struct EngagementRecord {
  std::optional<UtcTime> most_recent_content;
  std::optional<UtcTime> creation_time;
  std::optional<UtcTime> update_time;
  bool deleted = false;
  UtcTime last_seen{};
  friend bool operator==(const EngagementRecord&, const EngagementRecord&) = default;
};

std::string encode_engagement_record(const EngagementRecord& record);
// The same into `out` (replacing what it held), for a caller that encodes many with one buffer.
void encode_engagement_record(const EngagementRecord& record, std::string& out);
Expected<EngagementRecord> decode_engagement_record(std::string_view bytes);

}  // namespace bokade::store
