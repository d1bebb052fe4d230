#pragma once
// Retention: appointments are kept until `grace` after their start (2 h by default: the citizen still
// sees a visit that just began), then purged from their slices; persons whose watch expired are deleted
// whole. Every change goes through the WriteQueue, re-reading what it changes, so a refresh writing the
// same slice at the same moment is never undone.

#include <chrono>
#include <cstdint>

#include "bokade/core/expected.hpp"
#include "bokade/core/rivta_time.hpp"
#include "bokade/ei/watch_set.hpp"
#include "bokade/store/store.hpp"
#include "bokade/store/write_queue.hpp"

namespace bokade::fanout {

struct PurgeResult {
  std::uint64_t slices_scanned = 0;
  std::uint64_t slices_rewritten = 0;
  std::uint64_t appointments_purged = 0;
  std::uint64_t persons_deleted = 0;
};

// One pass over the slices and the expired watches. Blocks until its writes are durable: run it on a
// background thread, never on an I/O thread.
Expected<PurgeResult> purge_once(const store::Store& store, store::WriteQueue& queue, const ei::WatchSet& watch_set,
                                 UtcTime now, std::chrono::seconds grace, std::size_t max_persons = 10'000);

}  // namespace bokade::fanout
