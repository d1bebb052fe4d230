#include "bokade/core/text.hpp"
#include "bokade/ei/engagement_apply.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

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
  // Two passes, so that the stored versions of every key are read in one MultiGet instead of one Get
  // per transaction (the group's writer thread does this for every notification in turn). The first
  // pass sorts out what is not applied at all and builds the stored keys, all in one buffer; the second
  // applies in order. A key the batch (this job's writes or its group's) holds is read from the batch
  // in the second pass, so a later transaction still sees an earlier one of the same batch; every other
  // key reads as the database had it before the job, since nothing writes to the database meanwhile.
  struct Candidate {
    const rivta::EngagementTransaction* transaction;
    PersonId person;
    std::size_t key_offset;
    std::size_t key_size;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(transactions.size());
  std::string keys;
  keys.reserve(transactions.size() * 160);  // a stored key is some 150 bytes
  for (const auto& t : transactions) {
    const auto& e = t.engagement;
    // The index sends the domain as written in the contract; other spellings are compared without case.
    if (e.key.service_domain != service_domain_crm_scheduling &&
        e.key.service_domain != service_domain_logistics_scheduling && !is_scheduling_domain(e.key.service_domain)) {
      ++summary.other_domain;
      continue;
    }
    auto person = PersonId::parse(e.key.registered_resident_identification);
    if (!person || e.key.logical_address.empty()) {
      ++summary.invalid_person;
      continue;
    }
    const std::size_t offset = keys.size();
    // Stored under the canonical person id and the lower-case service domain. Index rows nearly always
    // come so already; only others pay for a copy of the key.
    const bool lower_domain = std::none_of(e.key.service_domain.begin(), e.key.service_domain.end(),
                                           [](char c) { return c >= 'A' && c <= 'Z'; });
    if (lower_domain && e.key.registered_resident_identification == person->str()) {
      store::append_engagement_key(keys, *person, e.key);
    } else {
      EngagementKey key = e.key;
      key.registered_resident_identification = person->str();
      key.service_domain = to_lower(key.service_domain);
      store::append_engagement_key(keys, *person, key);
    }
    candidates.push_back({&t, std::move(*person), offset, keys.size() - offset});
  }
  if (candidates.empty()) return {};

  std::vector<std::string_view> stored_keys;
  stored_keys.reserve(candidates.size());
  for (const auto& c : candidates) stored_keys.emplace_back(keys.data() + c.key_offset, c.key_size);
  auto stored_values = store.get_many(store::Column::engagements, stored_keys);
  if (!stored_values) return Unexpected<Error>{stored_values.error()};

  std::string value;  // the encoded record, one buffer for all
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& t = *candidates[i].transaction;
    const auto& e = t.engagement;
    const PersonId& person = candidates[i].person;
    const std::string_view stored_key = stored_keys[i];

    auto pending = batch.pending(store::Column::engagements, stored_key);
    const std::optional<std::string>& existing_value = pending ? *pending : (*stored_values)[i];
    std::optional<store::EngagementRecord> existing;
    if (existing_value) {
      auto decoded = store::decode_engagement_record(*existing_value);
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

    bool changed = true;  // the person's engagements at this logical address changed
    if (t.delete_flag) {
      if (!existing || existing->deleted) {
        ++summary.unknown_deletes;
        if (existing && existing->deleted && existing->update_time == record.update_time) continue;
        changed = false;
      } else {
        ++summary.deleted;
      }
    } else if (existing && !existing->deleted) {
      if (existing->most_recent_content == record.most_recent_content &&
          existing->creation_time == record.creation_time && existing->update_time == record.update_time) {
        ++summary.duplicates;
        continue;
      }
      ++summary.updated;
    } else {
      ++summary.created;
    }
    const std::string logical_address = normalise_hsa(e.key.logical_address);
    if (changed) summary.affected[person.str()].insert(logical_address);
    if (!t.delete_flag) summary.source_system_of.try_emplace(logical_address, e.key.source_system);
    store::encode_engagement_record(record, value);
    batch.put(store::Column::engagements, stored_key, value);
  }
  return {};
}

Expected<std::vector<StoredEngagement>> engagements_of(const store::Store& store, const PersonId& person,
                                                       bool include_tombstones) {
  std::vector<StoredEngagement> out;
  // Decoded where RocksDB holds the rows (every query reads them; copying each row first cost about as
  // much as decoding it).
  auto st = store.visit_prefix(store::Column::engagements, store::person_key(person),
                               [&](std::string_view k, std::string_view v) {
                                 auto key = store::engagement_key_fields(k);
                                 if (!key) return true;
                                 auto record = store::decode_engagement_record(v);
                                 if (!record || (record->deleted && !include_tombstones)) return true;
                                 out.push_back({std::move(*key), std::move(*record)});
                                 return true;
                               });
  if (!st) return Unexpected<Error>{st.error()};
  return out;
}

}  // namespace bokade::ei
