#pragma once
// Applying engagement-index transactions to the engagements column family, idempotently.
//
// The index delivers at least once, may reorder, may repeat, and may delete keys we never saw. So:
// - a create or update of a key is a put (repeating it changes nothing);
// - a delete leaves a tombstone carrying its update time, also for a key never seen, so that an older
//   create arriving after it is recognised as stale and not applied;
// - a transaction older (by updateTime) than what is stored is counted as stale and skipped;
// - other service domains, and unusable person ids, are counted and skipped.

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>

#include "bokade/core/expected.hpp"
#include "bokade/core/person_id.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/rivta/engagement_index.hpp"
#include "bokade/store/codec.hpp"
#include "bokade/store/store.hpp"

namespace bokade::ei {

struct ApplySummary {
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t deleted = 0;
  std::uint64_t unknown_deletes = 0;  // delete of a key never seen (a tombstone is kept)
  std::uint64_t stale = 0;            // older than what is stored
  std::uint64_t duplicates = 0;       // the same as what is stored
  std::uint64_t other_domain = 0;     // not a scheduling engagement
  std::uint64_t invalid_person = 0;   // registeredResidentIdentification unusable
  // Persons whose engagements changed, and the logical addresses (normalised) that changed for each.
  std::map<std::string, std::set<std::string>> affected;
  // The sourceSystem seen for each logical address (normalised) in created or updated engagements.
  std::map<std::string, std::string> source_system_of;

  [[nodiscard]] std::uint64_t applied() const { return created + updated + deleted + unknown_deletes; }
};

// Reads through `batch` (so repeated keys within one group see each other) and adds the writes to it.
Status apply_transactions(const store::Store& store, store::Batch& batch,
                          std::span<const rivta::EngagementTransaction> transactions, UtcTime now,
                          ApplySummary& summary);

// The engagements stored for one person (tombstones left out), with the logical address normalised.
struct StoredEngagement {
  EngagementKey key;
  store::EngagementRecord record;
};
Expected<std::vector<StoredEngagement>> engagements_of(const store::Store& store, const PersonId& person,
                                                       bool include_tombstones = false);

}  // namespace bokade::ei
