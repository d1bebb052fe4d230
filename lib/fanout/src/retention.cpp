#include "bokade/fanout/retention.hpp"

#include <future>
#include <string>
#include <vector>

#include "bokade/store/codec.hpp"
#include "bokade/store/keys.hpp"

namespace bokade::fanout {
namespace {

bool past(const Appointment& a, UtcTime cutoff) { return a.start && *a.start < cutoff; }

// Submits and waits for the job's group to be durable.
Status commit(store::WriteQueue& queue, store::WriteQueue::Job job) {
  std::promise<Status> done;
  auto future = done.get_future();
  queue.submit(std::move(job), [&done](Status st) { done.set_value(std::move(st)); },
               store::WriteQueue::Admission::always);
  return future.get();
}

}  // namespace

Expected<PurgeResult> purge_once(const store::Store& store, store::WriteQueue& queue, const ei::WatchSet& watch_set,
                                 UtcTime now, std::chrono::seconds grace, std::size_t max_persons) {
  PurgeResult result;
  const UtcTime cutoff = now - grace;

  // Slices holding an appointment past its start + grace (found in one read-only pass).
  std::vector<std::string> stale;
  auto st = store.for_each(store::Column::slices, {}, [&](std::string_view k, std::string_view v) {
    ++result.slices_scanned;
    auto slice = store::decode_slice(v);
    if (!slice) return true;
    for (const auto& a : slice->appointments) {
      if (past(a, cutoff)) {
        stale.emplace_back(k);
        break;
      }
    }
    return true;
  });
  if (!st) return Unexpected<Error>{st.error()};

  for (const auto& key : stale) {
    std::uint64_t purged = 0;
    auto job = [&key, cutoff, &purged](const store::Store& s, store::Batch& batch) -> Status {
      purged = 0;
      auto value = s.get(store::Column::slices, key, batch);
      if (!value) return Unexpected<Error>{value.error()};
      if (!*value) return {};
      auto slice = store::decode_slice(**value);
      if (!slice) return {};
      const auto before = slice->appointments.size();
      std::erase_if(slice->appointments, [cutoff](const Appointment& a) { return past(a, cutoff); });
      purged = before - slice->appointments.size();
      if (purged > 0) batch.put(store::Column::slices, key, store::encode_slice(*slice));
      return {};
    };
    if (auto c = commit(queue, job); !c) return Unexpected<Error>{c.error()};
    if (purged > 0) {
      ++result.slices_rewritten;
      result.appointments_purged += purged;
    }
  }

  auto expired = watch_set.expired(now, max_persons);
  if (!expired) return Unexpected<Error>{expired.error()};
  for (const auto& person_text : *expired) {
    auto person = PersonId::parse(person_text);
    if (!person) continue;
    bool deleted = false;
    auto job = [&person, now, &deleted](const store::Store& s, store::Batch& batch) -> Status {
      auto r = ei::add_expired_person_deletions(s, batch, *person, now);
      if (!r) return Unexpected<Error>{r.error()};
      deleted = *r;
      return {};
    };
    if (auto c = commit(queue, job); !c) return Unexpected<Error>{c.error()};
    if (deleted) ++result.persons_deleted;
  }
  return result;
}

}  // namespace bokade::fanout
