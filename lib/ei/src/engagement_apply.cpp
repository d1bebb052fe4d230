#include "bokade/core/text.hpp"
#include "bokade/ei/engagement_apply.hpp"

#include <cctype>

#include "bokade/core/hsa_id.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::ei {
namespace {


// The instant that orders two versions of one engagement: updateTime, else creationTime.
std::optional<UtcTime> version_of(const std::optional<UtcTime>& update, const std::optional<UtcTime>& creation) {
  return update ? update : creation;
}

}  // namespace

Status apply_transactions(const store::Store& store, store::Batch& batch,
                          std::span<const rivta::EngagementTransaction> transactions, UtcTime now,
                          ApplySummary& summary) {
  for (const auto& t : transactions) {
    const auto& e = t.engagement;
    if (!is_scheduling_domain(e.key.service_domain)) {
      ++summary.other_domain;
      continue;
    }
    auto person = PersonId::parse(e.key.registered_resident_identification);
    if (!person || e.key.logical_address.empty()) {
      ++summary.invalid_person;
      continue;
    }
    EngagementKey key = e.key;
    key.registered_resident_identification = person->str();
    key.service_domain = to_lower(key.service_domain);
    const auto stored_key = store::engagement_key(*person, key);

    auto existing_value = store.get(store::Column::engagements, stored_key, batch);
    if (!existing_value) return Unexpected<Error>{existing_value.error()};
    std::optional<store::EngagementRecord> existing;
    if (*existing_value) {
      auto decoded = store::decode_engagement_record(**existing_value);
      if (decoded) existing = *decoded;  // an unreadable old value is simply replaced
    }

    const auto incoming_version = version_of(e.update_time, e.creation_time);
    if (existing) {
      const auto stored_version = version_of(existing->update_time, existing->creation_time);
      if (incoming_version && stored_version && *incoming_version < *stored_version) {
        ++summary.stale;
        continue;
      }
    }

    store::EngagementRecord record;
    record.most_recent_content = e.most_recent_content;
    record.creation_time = e.creation_time;
    record.update_time = e.update_time;
    record.last_seen = now;
    record.deleted = t.delete_flag;

    if (t.delete_flag) {
      if (!existing || existing->deleted) {
        ++summary.unknown_deletes;
        if (existing && existing->deleted && existing->update_time == record.update_time) continue;
      } else {
        ++summary.deleted;
        summary.affected[person->str()].insert(normalise_hsa(key.logical_address));
      }
    } else if (existing && !existing->deleted) {
      if (existing->most_recent_content == record.most_recent_content &&
          existing->creation_time == record.creation_time && existing->update_time == record.update_time) {
        ++summary.duplicates;
        continue;
      }
      ++summary.updated;
      summary.affected[person->str()].insert(normalise_hsa(key.logical_address));
    } else {
      ++summary.created;
      summary.affected[person->str()].insert(normalise_hsa(key.logical_address));
    }
    if (!t.delete_flag) summary.source_system_of.emplace(normalise_hsa(key.logical_address), key.source_system);
    batch.put(store::Column::engagements, stored_key, store::encode_engagement_record(record));
  }
  return {};
}

Expected<std::vector<StoredEngagement>> engagements_of(const store::Store& store, const PersonId& person,
                                                       bool include_tombstones) {
  auto rows = store.scan_prefix(store::Column::engagements, store::person_key(person));
  if (!rows) return Unexpected<Error>{rows.error()};
  std::vector<StoredEngagement> out;
  for (const auto& [k, v] : *rows) {
    auto key = store::engagement_key_fields(k);
    auto record = store::decode_engagement_record(v);
    if (!key || !record) continue;
    if (record->deleted && !include_tombstones) continue;
    out.push_back({std::move(*key), std::move(*record)});
  }
  return out;
}

}  // namespace bokade::ei
