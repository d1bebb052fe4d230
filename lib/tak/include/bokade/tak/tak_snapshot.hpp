#pragma once
// TakSnapshot: one immutable, indexed copy of the TAK (tjänsteadresseringskatalog) export.
//
// It answers the two questions VP asks before it forwards a call (docs/tak.md):
// - permission (anropsbehörighet): may this consumer (tjänstekomponent HSA-id) call this contract on this
//   logical address — the exact address or the default receiver "*" — at this instant?
// - routing (vägval): which endpoint (anropsadress) and RIVTA profile serve this contract on this logical
//   address — the exact address, else "*" — at this instant?
// Validity windows are inclusive at both ends (from <= now <= tom), as VP checks them.
// HSA-ids and logical addresses compare case-insensitively; contract namespaces too.
//
// Built once from the export's JSON text (the current format and the older one with
// relationships.tjanstekonsument), then shared read-only between threads as
// std::shared_ptr<const TakSnapshot>. Lookups do not allocate beyond normalising their arguments.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/expected.hpp"
#include "bokade/core/rivta_time.hpp"

namespace bokade::tak {

// The contract bokade calls on every booking system, as TAK names it (tjanstekontrakt.namnrymd).
inline constexpr std::string_view get_subject_of_care_schedule_contract =
    "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1";

// The default receiver: a permission or route on "*" covers every logical address.
inline constexpr std::string_view default_receiver = "*";

// The closed answer of TakSnapshot::callable(); also a metric label (to_string).
enum class Callability : std::uint8_t { callable, not_authorized, no_route };
std::string_view to_string(Callability c) noexcept;

// A validity window, inclusive at both ends.
struct Validity {
  UtcTime from;
  UtcTime tom;
  [[nodiscard]] bool contains(UtcTime t) const noexcept { return from <= t && t <= tom; }
};

// Where a call for (contract, logical address) goes.
struct Route {
  std::string url;            // anropsadress.adress
  std::string rivta_profile;  // rivtaprofil.namn, e.g. "RIVTABP21"
  std::string producer;       // the tjänstekomponent HSA-id behind the address
  std::string receiver;       // the logical address the vägval names: the exact one or "*"
  Validity validity;
  std::int64_t vagval_id = 0;  // the export's technical id, for logs
  [[nodiscard]] bool via_default_receiver() const noexcept { return receiver == default_receiver; }
};

// Sizes of what was loaded, for metrics and logs.
struct TakCounts {
  std::size_t permissions = 0;        // anropsbehorighet entries
  std::size_t routes = 0;             // vagval entries
  std::size_t logical_addresses = 0;  // logiskadress entries
  std::size_t contracts = 0;          // tjanstekontrakt entries
  std::size_t components = 0;         // tjanstekomponent entries (consumers and producers)
  std::size_t call_addresses = 0;     // anropsadress entries
};

// Which field layout the export used.
enum class ExportFormat : std::uint8_t {
  current,  // anropsbehorighet.relationships.tjanstekomponent
  legacy,   // anropsbehorighet.relationships.tjanstekonsument (e.g. the 2016 NTjP dumps)
};
std::string_view to_string(ExportFormat f) noexcept;

class TakSnapshot {
 public:
  // Parses an export. Unknown fields and sections (filter, filtercategorization, …) are ignored. A clear
  // error names the first thing wrong: not JSON, no "data", a required section missing or not a list, an
  // entry without its id or a required field, an unreadable time, a relationship to an id that does not
  // exist. `loaded_at` is recorded as given (the wall-clock time of the load).
  static Expected<std::shared_ptr<const TakSnapshot>> parse(std::string_view json_text, UtcTime loaded_at);

  // A permission for `consumer` to `contract` on `logical_address` or on "*", valid at `now`.
  [[nodiscard]] bool authorized(std::string_view consumer, std::string_view contract, std::string_view logical_address,
                                UtcTime now) const;

  // The route valid at `now` for the exact logical address, else for "*". When several routes for one
  // receiver are valid at once (VP would refuse with VP006), the one with the lowest vagval id is chosen.
  [[nodiscard]] std::optional<Route> route(std::string_view contract, std::string_view logical_address,
                                           UtcTime now) const;

  // Both checks: not_authorized when there is no permission (checked first: an unauthorized address is
  // never called), no_route when there is a permission but no route.
  [[nodiscard]] Callability callable(std::string_view consumer, std::string_view contract,
                                     std::string_view logical_address, UtcTime now) const;

  // Every logical address (as spelled in the export, "*" included) that `consumer` holds a permission
  // for on `contract` valid at `now`; sorted. For operators and reports, not the hot path.
  [[nodiscard]] std::vector<std::string> authorized_addresses(std::string_view consumer, std::string_view contract,
                                                              UtcTime now) const;

  [[nodiscard]] const TakCounts& counts() const noexcept { return counts_; }
  // The export's own "tidpunkt", when it has one.
  [[nodiscard]] std::optional<UtcTime> export_time() const noexcept { return export_time_; }
  [[nodiscard]] UtcTime loaded_at() const noexcept { return loaded_at_; }
  [[nodiscard]] ExportFormat format() const noexcept { return format_; }

  TakSnapshot(const TakSnapshot&) = delete;
  TakSnapshot& operator=(const TakSnapshot&) = delete;
  ~TakSnapshot();

 private:
  struct Index;
  TakSnapshot();

  std::unique_ptr<const Index> index_;
  TakCounts counts_;
  std::optional<UtcTime> export_time_;
  UtcTime loaded_at_{};
  ExportFormat format_ = ExportFormat::current;
};

// Reads a TAK timestamp: ISO 8601 "2009-03-10T00:00:00+0100", "+01:00", "Z", fractions of a second
// (dropped), or a date alone; without a zone it is Swedish local time. Used by the parser; public for tests.
Expected<UtcTime> parse_tak_time(std::string_view text);

}  // namespace bokade::tak
