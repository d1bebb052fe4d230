#pragma once
// The simulated national platform's fixed catalogue: 21 regions, their booking systems and clinics,
// built deterministically from the seed at start-up. Persons are not held here: they are generated
// on demand from (seed, person index) by person.hpp, so a million of them cost no memory.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bokade/core/expected.hpp"
#include "bokade/core/rivta_time.hpp"

namespace bokade::sim {

// splitmix64: the one hash every deterministic choice of the world is drawn from.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept { return mix(mix(a) ^ (b + 0x632BE59BD9B4E019ULL)); }
constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept { return mix(mix(a, b), c); }
// A uniform double in [0, 1) from a hash.
constexpr double unit(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// A small deterministic generator for the sequence of choices made for one person or clinic.
class Draw {
 public:
  explicit Draw(std::uint64_t state) : state_(state) {}
  std::uint64_t next() noexcept { return mix(state_++); }
  double uniform() noexcept { return unit(next()); }
  std::size_t below(std::size_t n) noexcept { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(double p) noexcept { return uniform() < p; }

 private:
  std::uint64_t state_;
};

struct Region {
  std::string name;                 // "Region Stockholm"
  std::string organisation_number;  // "2321000016"
  std::string hsa_prefix;           // "SE" + organisation number
  double population;                // thousands of inhabitants: how persons are spread over regions
  std::vector<std::string> towns;
  std::string hospital;
  double index_share = 0.8;  // share of bookings its systems index in EI, unless a system overrides it
};

struct BookingSystem {
  std::string id;       // sourceSystem HSA-id, e.g. "SE2321000016-A2BF"; the key in the control API and TAK
  std::string product;  // "TakeCare", "Cosmic", …
  std::size_t region = 0;
  std::optional<double> index_share;  // overrides the region's
  bool index_at_parent = false;       // engagements carry the care unit's HSA-id, not the sub-clinic's
  std::string categorization = "NA";  // "NA", or the legacy "Booking"/"Invitation" some systems still send
  std::string care_type_id;
  std::string care_type_name;
  std::vector<std::size_t> clinics;
};

enum class TakPermission : std::uint8_t {
  granted,        // anropsbehörighet valid now
  missing,        // no anropsbehörighet for our consumer
  expired,        // one that ended in the past
  not_yet_valid,  // one that starts in the future
};
std::string_view to_string(TakPermission p) noexcept;

struct Clinic {
  std::string hsa_id;  // its logical address
  std::string name;
  std::size_t system = 0;
  std::optional<std::size_t> parent;  // the care unit (vårdenhet) that fronts this sub-clinic
  std::vector<std::size_t> children;
  bool confidential = false;  // e.g. a youth clinic: bookings must never be shown (a rule in the daemon)
  TakPermission permission = TakPermission::granted;
};

struct TimeType {
  std::string id;
  std::string name;
  bool hidden = false;  // "Administration", "Dölj i 1177": booked, but not for the citizen's eyes
  unsigned weight = 1;
};

struct WorldOptions {
  std::uint64_t seed = 1;
  std::size_t persons = 10'000;
  std::size_t systems = 40;
  std::size_t care_units_per_system = 6;  // each with 0–3 sub-clinics
  double tak_share = 0.95;                // share of clinics our consumer may call
  double samordningsnummer_share = 0.03;
  double mean_bookings = 1.2;
  // Overrides: region name, organisation number or system id → index share.
  std::vector<std::pair<std::string, double>> index_shares;
  std::chrono::year_month_day epoch{};  // the world's "today": bookings are placed after it
  // Appends the AGP test systems and clinics HSA-ID-1 … HSA-ID-7 (agp_fixture.hpp) after the
  // generated ones, which stay exactly as without it.
  bool agp_fixture = false;
};

class World {
 public:
  static Expected<World> build(const WorldOptions& options);

  [[nodiscard]] const WorldOptions& options() const noexcept { return options_; }
  [[nodiscard]] const std::vector<Region>& regions() const noexcept { return regions_; }
  [[nodiscard]] const std::vector<BookingSystem>& systems() const noexcept { return systems_; }
  [[nodiscard]] const std::vector<Clinic>& clinics() const noexcept { return clinics_; }
  [[nodiscard]] static const std::vector<TimeType>& time_types();

  // Case-insensitive, as HSA-ids are on the platform.
  [[nodiscard]] std::optional<std::size_t> find_clinic(std::string_view hsa_id) const;
  [[nodiscard]] std::optional<std::size_t> find_system(std::string_view id) const;

  [[nodiscard]] double index_share(const BookingSystem& s) const noexcept {
    return s.index_share.value_or(regions_[s.region].index_share);
  }
  [[nodiscard]] const Region& region_of_clinic(std::size_t clinic) const noexcept {
    return regions_[systems_[clinics_[clinic].system].region];
  }
  // The addresses that answer with a booking made at `clinic`: the clinic itself and its care unit.
  [[nodiscard]] std::vector<std::size_t> answering_addresses(std::size_t clinic) const;
  // Clinics of region r (for persons living there).
  [[nodiscard]] const std::vector<std::size_t>& clinics_in_region(std::size_t r) const { return by_region_[r]; }
  // Picks a region weighted by population from a uniform draw.
  [[nodiscard]] std::size_t region_for(double u) const noexcept;
  // Midnight (Europe/Stockholm) of the epoch day.
  [[nodiscard]] UtcTime epoch_start() const noexcept { return epoch_start_; }

  // The generated catalogue is systems [0, generated_systems()) and clinics [0, generated_clinics());
  // the AGP fixture's, when on, follow in region agp_region(). Whatever the generator draws is drawn
  // from the generated ones only, so the flag changes nothing of the generated world.
  [[nodiscard]] std::size_t generated_systems() const noexcept { return generated_systems_; }
  [[nodiscard]] std::size_t generated_clinics() const noexcept { return generated_clinics_; }
  [[nodiscard]] bool is_agp_clinic(std::size_t clinic) const noexcept { return clinic >= generated_clinics_; }
  [[nodiscard]] std::optional<std::size_t> agp_region() const noexcept { return agp_region_; }

 private:
  WorldOptions options_;
  std::vector<Region> regions_;
  std::vector<BookingSystem> systems_;
  std::vector<Clinic> clinics_;
  std::vector<std::vector<std::size_t>> by_region_;
  std::vector<double> population_cdf_;
  std::unordered_map<std::string, std::size_t> clinic_index_;
  std::unordered_map<std::string, std::size_t> system_index_;
  UtcTime epoch_start_{};
  std::size_t generated_systems_ = 0;
  std::size_t generated_clinics_ = 0;
  std::optional<std::size_t> agp_region_;

  void add_agp_fixture();
};

// Local Stockholm wall-clock time on a day → UTC.
UtcTime stockholm_local(std::chrono::sys_days day, std::chrono::minutes time_of_day);
// Today's date in Stockholm.
std::chrono::year_month_day stockholm_today();
std::string upper(std::string_view text);

}  // namespace bokade::sim
