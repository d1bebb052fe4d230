#pragma once
// Coverage (täckningsgrad): how much of what the legacy clinic-relation path finds the engagement-index
// path also finds, per region, booking system and clinic.
//
// For every distinct appointment in a person's slices (one per lower(healthcare_facility) · bookingId):
// - found via the EI path when an address that returned it is one the person has engagements at;
// - found via the relation path when an address that returned it is one the person has a relation with;
// - indexed when its bookingId is among the person's engagements at an address that returned it.
// Coverage (täckningsgrad) = appointments the relation path finds that are indexed / appointments the
// relation path finds. An address from the index also returns the person's other bookings there, so the
// EI path often "finds" bookings that are not indexed; that is luck, not indexing, and coverage does not
// count it (ei_path and both still show it).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bokade/config/config.hpp"
#include "bokade/core/expected.hpp"
#include "bokade/store/store.hpp"

namespace bokade::coverage {

struct Counts {
  std::uint64_t appointments = 0;
  std::uint64_t ei_path = 0;
  std::uint64_t relation_path = 0;
  std::uint64_t both = 0;
  std::uint64_t indexed = 0;
  std::uint64_t relation_and_indexed = 0;
  [[nodiscard]] std::uint64_t relation_only() const { return relation_path - both; }
  [[nodiscard]] std::uint64_t ei_only() const { return ei_path - both; }
  // Of what the relation path finds, the share that is indexed (1 when it finds nothing).
  [[nodiscard]] double coverage() const {
    return relation_path ? static_cast<double>(relation_and_indexed) / static_cast<double>(relation_path) : 1.0;
  }
  Counts& operator+=(const Counts& o);
};

// A clinic where the relation path finds bookings the engagement index lacks.
struct ClinicGap {
  std::string logical_address;
  std::string region;
  std::string booking_system;
  std::uint64_t relation_path = 0;  // appointments the relation path found there
  std::uint64_t missing_in_ei = 0;  // of those, not indexed in the engagement index
};

struct Report {
  std::chrono::system_clock::time_point computed_at;
  std::chrono::milliseconds took{0};
  std::uint64_t persons = 0;
  Counts national;
  std::map<std::string, Counts> regions;          // config region name, or "other"
  std::map<std::string, Counts> booking_systems;  // config booking system name, or "other"
  std::map<std::pair<std::string, std::string>, Counts> cells;  // (region, booking system)
  std::vector<ClinicGap> gaps;                    // worst first (most missing, then most found)
};

inline constexpr std::string_view other_label = "other";

// Reads the whole store once (a consistent pass per column family).
Expected<Report> compute(const store::Store& store, const config::Config& config);

// JSON for the admin listener and bokadectl: totals, regions, booking systems, the top `gap_limit` gaps.
std::string to_json(const Report& report, std::size_t gap_limit);

}  // namespace bokade::coverage
