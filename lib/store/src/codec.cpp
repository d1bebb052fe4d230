#include "bokade/store/codec.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace bokade::store {
namespace {

constexpr std::uint8_t slice_format = 1;
constexpr std::uint8_t engagement_format = 1;
constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();

// Appends to its own string, or to a given one (a buffer reused for every record of a batch).
class Writer {
 public:
  explicit Writer(std::size_t reserve = 0) { own_.reserve(reserve); }
  explicit Writer(std::string& out) : out_(&out) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void u8(std::uint8_t v) { *out_ += static_cast<char>(v); }
  void u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) *out_ += static_cast<char>((v >> s) & 0xFF);
  }
  void i64(std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((u >> (56 - 8 * i)) & 0xFF);
    out_->append(bytes, sizeof bytes);
  }
  void time(const std::optional<UtcTime>& t) { i64(t ? t->time_since_epoch().count() : no_time); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_->append(s);
  }
  std::string take() { return std::move(*out_); }

 private:
  std::string own_;
  std::string* out_ = &own_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& v) {
    if (!need(1)) return false;
    v = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (!need(4)) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_++]);
    return true;
  }
  bool i64(std::int64_t& v) {
    if (!need(8)) return false;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in_[pos_++]);
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool time(std::optional<UtcTime>& t) {
    std::int64_t v = 0;
    if (!i64(v)) return false;
    t = v == no_time ? std::nullopt : std::optional<UtcTime>(UtcTime{std::chrono::seconds{v}});
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n) || !need(n)) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool at_end() const { return pos_ == in_.size(); }

 private:
  bool need(std::size_t n) const { return in_.size() - pos_ >= n; }
  std::string_view in_;
  std::size_t pos_ = 0;
};

enum AppointmentFlags : std::uint8_t {
  cancel_allowed = 1,
  rebook_allowed = 2,
  message_allowed = 4,
  invitation = 8,
};

}  // namespace

std::string encode_slice(const Slice& slice) {
  Writer w;
  w.u8(slice_format);
  const auto& s = slice.status;
  w.str(s.logical_address);
  w.u8(static_cast<std::uint8_t>(s.code));
  w.time(s.last_success);
  w.time(s.last_failure);
  w.u8(static_cast<std::uint8_t>(s.last_outcome));
  w.str(s.error_code);
  w.str(s.error_text);
  w.str(s.causing_agent);
  w.u32(static_cast<std::uint32_t>(slice.appointments.size()));
  for (const auto& a : slice.appointments) {
    std::uint8_t flags = 0;
    if (a.cancel_booking_allowed) flags |= cancel_allowed;
    if (a.rebooking_allowed) flags |= rebook_allowed;
    if (a.message_allowed) flags |= message_allowed;
    if (a.is_invitation) flags |= invitation;
    w.u8(flags);
    w.time(a.start);
    w.time(a.end);
    for (const std::string* f :
         {&a.healthcare_facility, &a.healthcare_facility_name, &a.performer, &a.performer_name, &a.booking_id,
          &a.subject_of_care, &a.purpose, &a.reason, &a.resource_name, &a.resource_id, &a.time_type_name,
          &a.time_type_id, &a.care_type_name, &a.care_type_id}) {
      w.str(*f);
    }
  }
  return w.take();
}

Expected<Slice> decode_slice(std::string_view bytes) {
  Reader r(bytes);
  Slice slice;
  std::uint8_t format = 0, code = 0, outcome = 0;
  auto& s = slice.status;
  if (!r.u8(format)) return fail("slice value is empty");
  if (format != slice_format) return fail(fmt::format("slice value has format {}, this build reads {}", format, slice_format));
  std::uint32_t count = 0;
  if (!r.str(s.logical_address) || !r.u8(code) || !r.time(s.last_success) || !r.time(s.last_failure) ||
      !r.u8(outcome) || !r.str(s.error_code) || !r.str(s.error_text) || !r.str(s.causing_agent) || !r.u32(count)) {
    return fail("slice value is truncated in its source status");
  }
  if (code >= all_processing_status_codes.size() || outcome >= all_outcomes.size()) {
    return fail("slice value has an unknown status code or outcome");
  }
  s.code = static_cast<ProcessingStatusCode>(code);
  s.last_outcome = static_cast<Outcome>(outcome);
  if (count > bytes.size()) return fail("slice value claims more appointments than it holds");
  slice.appointments.resize(count);
  for (auto& a : slice.appointments) {
    std::uint8_t flags = 0;
    bool ok = r.u8(flags) && r.time(a.start) && r.time(a.end);
    for (std::string* f : {&a.healthcare_facility, &a.healthcare_facility_name, &a.performer, &a.performer_name,
                           &a.booking_id, &a.subject_of_care, &a.purpose, &a.reason, &a.resource_name,
                           &a.resource_id, &a.time_type_name, &a.time_type_id, &a.care_type_name, &a.care_type_id}) {
      ok = ok && r.str(*f);
    }
    if (!ok) return fail("slice value is truncated in an appointment");
    a.cancel_booking_allowed = flags & cancel_allowed;
    a.rebooking_allowed = flags & rebook_allowed;
    a.message_allowed = flags & message_allowed;
    a.is_invitation = flags & invitation;
  }
  if (!r.at_end()) return fail("slice value has trailing bytes");
  return slice;
}

namespace {
constexpr std::size_t engagement_record_size = 2 + 4 * 8;
void write_engagement_record(Writer& w, const EngagementRecord& record) {
  w.u8(engagement_format);
  w.u8(record.deleted ? 1 : 0);
  w.time(record.most_recent_content);
  w.time(record.creation_time);
  w.time(record.update_time);
  w.i64(record.last_seen.time_since_epoch().count());
}
}  // namespace

std::string encode_engagement_record(const EngagementRecord& record) {
  Writer w(engagement_record_size);
  write_engagement_record(w, record);
  return w.take();
}

void encode_engagement_record(const EngagementRecord& record, std::string& out) {
  out.clear();
  Writer w(out);
  write_engagement_record(w, record);
}

Expected<EngagementRecord> decode_engagement_record(std::string_view bytes) {
  Reader r(bytes);
  EngagementRecord rec;
  std::uint8_t format = 0, deleted = 0;
  std::int64_t seen = 0;
  if (!r.u8(format)) return fail("engagement value is empty");
  if (format != engagement_format) return fail(fmt::format("engagement value has format {}", format));
  if (!r.u8(deleted) || !r.time(rec.most_recent_content) || !r.time(rec.creation_time) || !r.time(rec.update_time) ||
      !r.i64(seen) || !r.at_end()) {
    return fail("engagement value is truncated or has trailing bytes");
  }
  rec.deleted = deleted != 0;
  rec.last_seen = UtcTime{std::chrono::seconds{seen}};
  return rec;
}

}  // namespace bokade::store
