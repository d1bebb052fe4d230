#pragma once
// The ledger: every person's current bookings — the generated ones, with the control API's
// bookings, cancellations and reschedules kept as overlays for the persons they touched — and how
// they look on the wire (TimeslotType for GetSubjectOfCareSchedule, engagements for EI).

#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bokade/core/appointment.hpp"
#include "bokade/core/engagement.hpp"
#include "person.hpp"
#include "world.hpp"

namespace bokade::sim {

struct BookSpec {
  std::size_t clinic = 0;
  UtcTime start{};
  std::chrono::minutes length{30};
  std::size_t time_type = 0;
  bool invitation = false;
  std::optional<bool> indexed;  // default: drawn with the system's index share
};

class Ledger {
 public:
  Ledger(const World& world, std::string ei_owner);

  [[nodiscard]] const World& world() const noexcept { return world_; }
  [[nodiscard]] const PersonCodec& codec() const noexcept { return codec_; }
  // Person indices: the generated persons [0, world persons), then the AGP test persons when the
  // world has the fixture (agp_fixture.hpp), in the fixture's order.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view person_id) const;
  [[nodiscard]] std::size_t person_count() const noexcept { return world_.options().persons + test_persons_.size(); }
  [[nodiscard]] bool is_test_person(std::size_t index) const noexcept { return index >= world_.options().persons; }

  // The person as they are now (overlay applied).
  [[nodiscard]] Person person(std::size_t index) const;

  Expected<Booking> book(std::size_t person, const BookSpec& spec, UtcTime now);
  Expected<Booking> cancel(std::size_t person, std::string_view booking_id);
  // Returns the booking before and after.
  Expected<std::pair<Booking, Booking>> reschedule(std::size_t person, std::string_view booking_id, UtcTime start,
                                                   std::optional<std::chrono::minutes> length, UtcTime now);
  [[nodiscard]] std::size_t touched_persons() const;

  // What `clinic`'s logical address answers for the person: bookings at the clinic and, for a care
  // unit, at its sub-clinics.
  [[nodiscard]] std::vector<Appointment> schedule(const Person& p, std::size_t clinic) const;
  [[nodiscard]] Appointment appointment(const Person& p, const Booking& b) const;
  // The engagement the booking system registered (whether or not it is indexed).
  [[nodiscard]] Engagement engagement(const Person& p, const Booking& b) const;
  // The clinic whose HSA-id the booking's engagement carries.
  [[nodiscard]] std::size_t engagement_clinic(const Booking& b) const;
  // Engagements of the person's indexed bookings.
  [[nodiscard]] std::vector<Engagement> engagements(const Person& p) const;

 private:
  // The person before any control API change.
  [[nodiscard]] Person base_person(std::size_t index) const;

  const World& world_;
  PersonCodec codec_;
  std::vector<Person> test_persons_;
  std::string ei_owner_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::size_t, std::vector<Booking>> overlay_;  // person → current bookings
  std::uint64_t next_serial_ = 1'000'000;
};

}  // namespace bokade::sim
