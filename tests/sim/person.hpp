#pragma once
// Persons of the simulated world, generated on demand from (seed, person index): their identity
// (personnummer or samordningsnummer, valid checksum), home region, bookings and legacy clinic
// relations. Nothing is stored; the same index always yields the same person.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "world.hpp"

namespace bokade::sim {

struct Booking {
  std::string id;  // bookingId, unique within the world
  std::size_t clinic = 0;
  UtcTime start{};
  UtcTime end{};
  std::size_t time_type = 0;  // index into World::time_types()
  bool invitation = false;    // a timed invitation (kallelse) rather than a booking the person made
  bool indexed = false;       // the booking system registered an engagement in EI
  std::uint64_t detail = 0;   // seed of the descriptive fields (performer, purpose, …)
  UtcTime created{};
  UtcTime updated{};
};

struct Person {
  std::size_t index = 0;
  std::string id;  // 12 digits
  bool samordningsnummer = false;
  std::size_t region = 0;
  std::vector<Booking> bookings;
  std::vector<std::size_t> relations;  // clinics the legacy path (mottagningsrelation) asks
};

// The bijection between person indices and identities. Indices are spread over birth dates
// 1925–2024 and serial numbers by a seed-dependent affine permutation, so the identity of index i
// and the index of an identity are both computed, not looked up.
//
// The AGP standard test persons (agp_fixture.hpp) are real-format personnummer, some inside that
// range. A world person whose computed identity is one of them gets the identity of a spare index
// instead (one above every world's last, chosen from the top of the range), whether or not
// --agp-fixture is on: the world never issues them, and every other identity stays the same.
class PersonCodec {
 public:
  PersonCodec(std::uint64_t seed, std::size_t persons, double samordningsnummer_share);
  [[nodiscard]] std::string id_of(std::size_t index) const;
  [[nodiscard]] bool is_samordningsnummer(std::size_t index) const noexcept;
  // nullopt when the text is no identity of this world.
  [[nodiscard]] std::optional<std::size_t> index_of(std::string_view id) const;
  [[nodiscard]] std::size_t persons() const noexcept { return persons_; }
  // How many world persons were given a spare identity in place of a reserved one.
  [[nodiscard]] std::size_t reassigned() const noexcept { return reassigned_.size(); }

 private:
  struct Reassignment {
    std::uint64_t index;  // the world person
    std::uint64_t spare;  // the index whose identity it gets
  };
  [[nodiscard]] std::uint64_t permute(std::uint64_t index) const noexcept;
  [[nodiscard]] std::uint64_t unpermute(std::uint64_t key) const noexcept;

  std::uint64_t seed_;
  std::size_t persons_;
  double samordning_share_;
  std::uint64_t offset_;
  std::uint64_t inverse_;
  std::vector<Reassignment> reassigned_;  // at most one per reserved identity
};

// The generated (unmodified) state of person `index`.
Person generate_person(const World& world, const PersonCodec& codec, std::size_t index);

// A booking id in the style of the clinic's product; `serial` distinguishes bookings of one person.
std::string booking_id_for(const World& world, std::size_t clinic, std::size_t person, std::uint64_t serial);

// Descriptive fields of a booking, drawn from Booking::detail.
struct BookingDetail {
  std::string performer;
  std::string performer_name;
  std::string purpose;
  std::string reason;
  std::string resource_id;
  std::string resource_name;
  bool cancel_allowed = false;
  bool rebook_allowed = false;
  bool message_allowed = false;
};
BookingDetail booking_detail(const World& world, const Booking& booking);

}  // namespace bokade::sim
