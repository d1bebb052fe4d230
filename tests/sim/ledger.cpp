#include "ledger.hpp"

#include <algorithm>
#include <mutex>

#include "agp_fixture.hpp"

namespace bokade::sim {

namespace {

// The AGP test persons with their bookings, one per engagement of the fixture (agp_fixture.hpp).
std::vector<Person> agp_test_persons(const World& world) {
  using namespace std::chrono;
  std::vector<Person> out;
  if (!world.options().agp_fixture) return out;
  const auto& types = World::time_types();
  const sys_days epoch_day{world.options().epoch};
  int row = 0;
  for (const auto& t : agp::test_persons()) {
    Person p;
    p.index = world.options().persons + out.size();
    p.id = t.id;
    p.region = world.agp_region().value_or(0);
    for (const auto& e : t.engagements) {
      Booking b;
      b.id = e.booking_id;
      b.clinic = world.find_clinic(e.logical_address).value_or(0);  // always there with the fixture
      b.start = stockholm_local(epoch_day + days{agp::first_booking_day + row}, minutes{agp::booking_minute_of_day});
      b.end = b.start + minutes{agp::booking_minutes};
      const auto type = std::find_if(types.begin(), types.end(), [&](const TimeType& x) { return x.id == e.time_type_id; });
      b.time_type = static_cast<std::size_t>(type - types.begin());
      b.indexed = true;
      // Fixed per row, not per seed: the fixture's bookings look the same in every world.
      b.detail = mix(0xA6F1, static_cast<std::uint64_t>(row));
      b.created = world.epoch_start() - hours{24 * 30};
      b.updated = b.created;
      p.bookings.push_back(std::move(b));
      ++row;
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Ledger::Ledger(const World& world, std::string ei_owner)
    : world_(world),
      codec_(world.options().seed, world.options().persons, world.options().samordningsnummer_share),
      test_persons_(agp_test_persons(world)),
      ei_owner_(std::move(ei_owner)) {}

std::optional<std::size_t> Ledger::find(std::string_view person_id) const {
  if (auto i = codec_.index_of(person_id)) return i;
  for (const auto& p : test_persons_) {
    if (p.id == person_id) return p.index;
  }
  return std::nullopt;
}

Person Ledger::base_person(std::size_t index) const {
  if (is_test_person(index)) return test_persons_.at(index - world_.options().persons);
  return generate_person(world_, codec_, index);
}

Person Ledger::person(std::size_t index) const {
  Person p = base_person(index);
  std::shared_lock lock(mutex_);
  if (overlay_.empty()) return p;
  const auto it = overlay_.find(index);
  if (it != overlay_.end()) p.bookings = it->second;
  return p;
}

std::size_t Ledger::touched_persons() const {
  std::shared_lock lock(mutex_);
  return overlay_.size();
}

Expected<Booking> Ledger::book(std::size_t person, const BookSpec& spec, UtcTime now) {
  if (spec.clinic >= world_.clinics().size()) return fail("no such clinic");
  if (spec.time_type >= World::time_types().size()) return fail("no such time type");
  const Person generated = base_person(person);
  std::unique_lock lock(mutex_);
  auto [it, inserted] = overlay_.try_emplace(person, generated.bookings);
  Booking b;
  b.clinic = spec.clinic;
  const std::uint64_t serial = next_serial_++;
  b.id = booking_id_for(world_, spec.clinic, person, serial);
  b.start = spec.start;
  b.end = spec.start + spec.length;
  b.time_type = spec.time_type;
  b.invitation = spec.invitation;
  Draw d(mix(world_.options().seed, person, serial));
  b.indexed = spec.indexed.value_or(d.chance(world_.index_share(world_.systems()[world_.clinics()[spec.clinic].system])));
  b.detail = d.next();
  b.created = now;
  b.updated = now;
  it->second.push_back(b);
  return b;
}

Expected<Booking> Ledger::cancel(std::size_t person, std::string_view booking_id) {
  const Person generated = base_person(person);
  std::unique_lock lock(mutex_);
  auto [it, inserted] = overlay_.try_emplace(person, generated.bookings);
  auto& v = it->second;
  const auto b = std::find_if(v.begin(), v.end(), [&](const Booking& x) { return x.id == booking_id; });
  if (b == v.end()) {
    if (inserted) overlay_.erase(it);
    return fail("the person has no booking with that id");
  }
  Booking removed = *b;
  v.erase(b);
  return removed;
}

Expected<std::pair<Booking, Booking>> Ledger::reschedule(std::size_t person, std::string_view booking_id, UtcTime start,
                                                         std::optional<std::chrono::minutes> length, UtcTime now) {
  const Person generated = base_person(person);
  std::unique_lock lock(mutex_);
  auto [it, inserted] = overlay_.try_emplace(person, generated.bookings);
  auto& v = it->second;
  const auto b = std::find_if(v.begin(), v.end(), [&](const Booking& x) { return x.id == booking_id; });
  if (b == v.end()) {
    if (inserted) overlay_.erase(it);
    return fail("the person has no booking with that id");
  }
  const Booking before = *b;
  const auto len = length.value_or(std::chrono::duration_cast<std::chrono::minutes>(b->end - b->start));
  b->start = start;
  b->end = start + len;
  b->updated = now;
  return std::pair{before, *b};
}

Appointment Ledger::appointment(const Person& p, const Booking& b) const {
  const auto& clinic = world_.clinics()[b.clinic];
  const auto& system = world_.systems()[clinic.system];
  const auto& type = World::time_types()[b.time_type];
  const BookingDetail detail = booking_detail(world_, b);
  Appointment a;
  a.start = b.start;
  a.end = b.end;
  a.healthcare_facility = clinic.hsa_id;
  a.healthcare_facility_name = clinic.name;
  a.performer = detail.performer;
  a.performer_name = detail.performer_name;
  a.booking_id = b.id;
  a.subject_of_care = p.id;
  a.purpose = detail.purpose;
  a.reason = detail.reason;
  a.resource_id = detail.resource_id;
  a.resource_name = detail.resource_name;
  a.time_type_id = type.id;
  a.time_type_name = type.name;
  a.care_type_id = system.care_type_id;
  a.care_type_name = system.care_type_name;
  a.cancel_booking_allowed = detail.cancel_allowed;
  a.rebooking_allowed = detail.rebook_allowed;
  a.message_allowed = detail.message_allowed;
  a.is_invitation = b.invitation;
  return a;
}

std::vector<Appointment> Ledger::schedule(const Person& p, std::size_t clinic) const {
  std::vector<Appointment> out;
  for (const auto& b : p.bookings) {
    const auto& c = world_.clinics()[b.clinic];
    if (b.clinic == clinic || (c.parent && *c.parent == clinic)) out.push_back(appointment(p, b));
  }
  return out;
}

std::size_t Ledger::engagement_clinic(const Booking& b) const {
  const auto& c = world_.clinics()[b.clinic];
  return world_.systems()[c.system].index_at_parent && c.parent ? *c.parent : b.clinic;
}

Engagement Ledger::engagement(const Person& p, const Booking& b) const {
  const auto& clinic = world_.clinics()[b.clinic];
  const auto& system = world_.systems()[clinic.system];
  Engagement e;
  e.key.registered_resident_identification = p.id;
  e.key.service_domain = std::string(service_domain_crm_scheduling);
  e.key.categorization = system.categorization == "NA" ? "NA" : (b.invitation ? "Invitation" : "Booking");
  e.key.logical_address = world_.clinics()[engagement_clinic(b)].hsa_id;
  e.key.business_object_instance_identifier = b.id;
  e.key.clinical_process_interest_id = "NA";
  e.key.source_system = system.id;
  e.key.data_controller = world_.regions()[system.region].hsa_prefix;
  e.key.owner = ei_owner_;
  e.most_recent_content = b.start;
  e.creation_time = b.created;
  e.update_time = b.updated;
  return e;
}

std::vector<Engagement> Ledger::engagements(const Person& p) const {
  std::vector<Engagement> out;
  for (const auto& b : p.bookings) {
    if (b.indexed) out.push_back(engagement(p, b));
  }
  return out;
}

}  // namespace bokade::sim
