#include "engagement_index.hpp"

#include <algorithm>
#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bokade/core/log.hpp"

namespace bokade::sim {
namespace asio = boost::asio;
using rivta::EngagementTransaction;

namespace {
bool iequals(std::string_view a, std::string_view b) { return upper(a) == upper(b); }
bool passes(std::string_view filter, std::string_view value) { return filter.empty() || iequals(filter, value); }
}  // namespace

std::vector<Engagement> find_content(const Ledger& ledger, const rivta::FindContentRequest& r) {
  std::vector<Engagement> out;
  if (!iequals(r.service_domain, service_domain_crm_scheduling)) return out;
  const auto index = ledger.find(r.registered_resident_identification);
  if (!index) return out;
  for (auto& e : ledger.engagements(ledger.person(*index))) {
    const auto& k = e.key;
    if (passes(r.categorization, k.categorization) && passes(r.logical_address_filter, k.logical_address) &&
        passes(r.business_object_instance_identifier, k.business_object_instance_identifier) &&
        passes(r.clinical_process_interest_id, k.clinical_process_interest_id) &&
        passes(r.source_system, k.source_system) && passes(r.data_controller, k.data_controller) &&
        passes(r.owner, k.owner)) {
      out.push_back(std::move(e));
    }
  }
  return out;
}

struct EngagementPush::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const Ledger& l, PushSettings s)
      : ioc(io), ledger(l), settings(std::move(s)), draw(mix(l.world().options().seed, 0xE1)) {}

  struct Pending {
    std::chrono::steady_clock::time_point due;
    std::vector<EngagementTransaction> batch;
  };

  asio::io_context& ioc;
  const Ledger& ledger;
  std::shared_ptr<net::HttpClient> client;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;  // guards everything below
  PushSettings settings;
  Draw draw;
  std::deque<EngagementTransaction> queue;
  std::vector<EngagementTransaction> held_back;
  std::deque<Pending> redeliveries;
  std::size_t replay_cursor = 0;
  std::size_t replay_end = 0;
  PushStats stats;

  EngagementTransaction phantom_delete() {
    // A key no booking ever had: a real person, a real clinic, a booking id nobody issued.
    const auto& world = ledger.world();
    const Person p = ledger.person(draw.below(world.options().persons));
    const std::size_t clinic = draw.below(world.generated_clinics());
    Booking b;
    b.clinic = clinic;
    b.id = "EI-PHANTOM-" + std::to_string(draw.next() % 1'000'000'000'000ULL);
    b.start = world.epoch_start();
    b.created = b.updated = world.epoch_start();
    return {true, ledger.engagement(p, b)};
  }

  std::optional<EngagementTransaction> unchanged_row() {
    const auto& world = ledger.world();
    for (int attempt = 0; attempt < 20; ++attempt) {
      const Person p = ledger.person(draw.below(world.options().persons));
      auto es = ledger.engagements(p);
      if (!es.empty()) return EngagementTransaction{false, es[draw.below(es.size())]};
    }
    return std::nullopt;
  }

  // Called with the mutex held.
  std::vector<EngagementTransaction> take_batch() {
    const auto now = std::chrono::steady_clock::now();
    if (!redeliveries.empty() && redeliveries.front().due <= now) {
      auto batch = std::move(redeliveries.front().batch);
      redeliveries.pop_front();
      ++stats.redeliveries;
      return batch;
    }
    const std::size_t size = std::max<std::size_t>(1, settings.batch_size);
    std::vector<EngagementTransaction> batch = std::move(held_back);
    held_back.clear();
    while (batch.size() < size && !queue.empty()) {
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    while (batch.size() < size && replay_cursor < replay_end) {
      for (auto& e : ledger.engagements(ledger.person(replay_cursor))) batch.push_back({false, std::move(e)});
      ++replay_cursor;
    }
    if (batch.empty()) return batch;
    const PushHabits& h = settings.habits;
    std::vector<EngagementTransaction> out;
    for (auto& t : batch) {
      out.push_back(t);
      if (h.duplicates > 0 && draw.chance(h.duplicates)) {
        out.push_back(t);
        ++stats.duplicates;
      }
    }
    if (h.phantom_deletes > 0 && draw.chance(h.phantom_deletes)) {
      out.push_back(phantom_delete());
      ++stats.phantom_deletes;
    }
    if (h.unchanged > 0 && draw.chance(h.unchanged)) {
      if (auto t = unchanged_row()) {
        out.push_back(std::move(*t));
        ++stats.unchanged;
      }
    }
    if (h.reorder > 0 && draw.chance(h.reorder)) {
      for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[draw.below(i)]);
      if (out.size() > 1) {
        held_back.push_back(std::move(out.front()));
        out.erase(out.begin());
      }
    }
    // Never more than the batch size: the rest goes first next time.
    while (out.size() > size) {
      queue.push_front(std::move(out.back()));
      out.pop_back();
    }
    return out;
  }

  asio::awaitable<bool> deliver(const std::vector<EngagementTransaction>& batch) {
    PushSettings s;
    {
      std::lock_guard lock(mutex);
      s = settings;
    }
    auto body = rivta::write_process_notification(s.logical_address, batch);
    if (!body) {
      std::lock_guard lock(mutex);
      stats.last_error = body.error().message;
      co_return true;  // cannot be written: redelivering would not help
    }
    net::ClientRequest req;
    req.url = s.subscriber_url;
    req.body = std::move(*body);
    req.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.timeout);
    req.headers = {{"Content-Type", "text/xml; charset=UTF-8"},
                   {"SOAPAction", std::string(process_notification_contract_action)},
                   {"x-rivta-original-serviceconsumer-hsaid", s.sender_hsa_id}};
    auto response = co_await client->request(std::move(req));
    std::string error;
    if (!response) {
      error = "subscriber: " + response.error().message;
    } else if (response->status != 200) {
      error = "subscriber answered HTTP " + std::to_string(response->status);
    } else {
      auto result = rivta::read_process_notification_response(response->body);
      if (!result) error = "subscriber response: " + result.error().reason;
      else if (result->result == rivta::ResultCode::error) error = "subscriber result ERROR: " + result->comment;
    }
    std::lock_guard lock(mutex);
    ++stats.batches_sent;
    stats.transactions_sent += batch.size();
    if (error.empty()) {
      ++stats.batches_acknowledged;
      stats.transactions_acknowledged += batch.size();
      co_return true;
    }
    ++stats.batches_failed;
    stats.last_error = error;
    co_return false;
  }

  static constexpr std::string_view process_notification_contract_action =
      "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1:ProcessNotification";

  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    asio::steady_timer timer(self->ioc);
    while (!self->stopping) {
      double rate = 5;
      {
        std::lock_guard lock(self->mutex);
        rate = self->settings.batches_per_second;
      }
      timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(1e6 / std::max(rate, 0.001))));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (self->stopping) break;
      std::vector<EngagementTransaction> batch;
      Micros delay{0};
      {
        std::lock_guard lock(self->mutex);
        batch = self->take_batch();
        delay = self->settings.redeliver_delay;
      }
      if (batch.empty()) continue;
      if (!co_await self->deliver(batch)) {
        std::lock_guard lock(self->mutex);
        self->redeliveries.push_back({std::chrono::steady_clock::now() + delay, std::move(batch)});
      }
    }
  }
};

EngagementPush::EngagementPush(asio::io_context& ioc, const Ledger& ledger, PushSettings settings)
    : impl_(std::make_shared<Impl>(ioc, ledger, std::move(settings))) {}

EngagementPush::~EngagementPush() { stop(); }

Status EngagementPush::start() {
  if (impl_->settings.subscriber_url.empty()) return {};
  auto client = net::HttpClient::create(impl_->ioc.get_executor(), net::ClientOptions{});
  if (!client) return Unexpected<Error>{client.error()};
  impl_->client = *client;
  asio::co_spawn(impl_->ioc, Impl::run(impl_), asio::detached);
  return {};
}

void EngagementPush::stop() {
  impl_->stopping = true;
  if (impl_->client) impl_->client->close_idle();
}

void EngagementPush::enqueue(EngagementTransaction transaction) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->settings.subscriber_url.empty()) return;
  impl_->queue.push_back(std::move(transaction));
}

std::size_t EngagementPush::replay() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->settings.subscriber_url.empty()) return 0;
  impl_->replay_cursor = 0;
  impl_->replay_end = impl_->ledger.person_count();  // the AGP test persons too, after the world's
  return impl_->replay_end;
}

void EngagementPush::set_habits(const PushHabits& habits) {
  std::lock_guard lock(impl_->mutex);
  impl_->settings.habits = habits;
}

PushSettings EngagementPush::settings() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->settings;
}

PushStats EngagementPush::stats() const {
  std::lock_guard lock(impl_->mutex);
  PushStats s = impl_->stats;
  s.queued = impl_->queue.size() + impl_->held_back.size();
  s.awaiting_redelivery = impl_->redeliveries.size();
  s.replay_remaining = impl_->replay_end - impl_->replay_cursor;
  return s;
}

}  // namespace bokade::sim
