#include "ledger.hpp"

#include <algorithm>
#include <mutex>

namespace bokade::sim {

Ledger::Ledger(const World& world, std::string ei_owner)
    : world_(world),
      codec_(world.options().seed, world.options().persons, world.options().samordningsnummer_share),
      ei_owner_(std::move(ei_owner)) {}

Person Ledger::person(std::size_t index) const {
  Person p = generate_person(world_, codec_, index);
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
  const Person generated = generate_person(world_, codec_, person);
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
  const Person generated = generate_person(world_, codec_, person);
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
  const Person generated = generate_person(world_, codec_, person);
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
