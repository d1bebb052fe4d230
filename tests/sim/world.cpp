#include "world.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "agp_fixture.hpp"

namespace bokade::sim {
namespace {

// The 21 regions. Organisation numbers are the regions' own (232100-xxxx); Region Gotland is a
// municipality with regional responsibility, so its number is the municipality's, 212000-0803.
// Population in thousands (SCB, 2023, rounded) spreads persons over regions.
std::vector<Region> swedish_regions() {
  return {
      {"Region Stockholm", "2321000016", "", 2454, {"Huddinge", "Solna", "Södertälje", "Norrtälje"}, "Södersjukhuset", 0.95},
      {"Region Uppsala", "2321000024", "", 404, {"Uppsala", "Enköping", "Östhammar"}, "Akademiska sjukhuset", 0.8},
      {"Region Sörmland", "2321000032", "", 301, {"Eskilstuna", "Nyköping", "Katrineholm"}, "Mälarsjukhuset", 0.7},
      {"Region Östergötland", "2321000040", "", 469, {"Linköping", "Norrköping", "Motala"}, "Universitetssjukhuset i Linköping", 0.9},
      {"Region Jönköpings län", "2321000057", "", 369, {"Jönköping", "Värnamo", "Eksjö"}, "Länssjukhuset Ryhov", 0.85},
      {"Region Kronoberg", "2321000065", "", 203, {"Växjö", "Ljungby", "Älmhult"}, "Centrallasarettet Växjö", 0.75},
      {"Region Kalmar län", "2321000073", "", 246, {"Kalmar", "Västervik", "Oskarshamn"}, "Länssjukhuset i Kalmar", 0.8},
      {"Region Gotland", "2120000803", "", 61, {"Visby", "Hemse", "Slite"}, "Visby lasarett", 0.6},
      {"Region Blekinge", "2321000081", "", 157, {"Karlskrona", "Karlshamn", "Ronneby"}, "Blekingesjukhuset", 0.7},
      {"Region Skåne", "2321000255", "", 1414, {"Malmö", "Lund", "Helsingborg", "Kristianstad"}, "Skånes universitetssjukhus", 0.85},
      {"Region Halland", "2321000115", "", 340, {"Halmstad", "Varberg", "Kungsbacka"}, "Hallands sjukhus", 0.75},
      {"Västra Götalandsregionen", "2321000131", "", 1744, {"Göteborg", "Borås", "Trollhättan", "Skövde"}, "Sahlgrenska Universitetssjukhuset", 0.40},
      {"Region Värmland", "2321000156", "", 283, {"Karlstad", "Arvika", "Torsby"}, "Centralsjukhuset Karlstad", 0.8},
      {"Region Örebro län", "2321000164", "", 307, {"Örebro", "Karlskoga", "Lindesberg"}, "Universitetssjukhuset Örebro", 0.85},
      {"Region Västmanland", "2321000172", "", 280, {"Västerås", "Köping", "Sala"}, "Västmanlands sjukhus Västerås", 0.7},
      {"Region Dalarna", "2321000180", "", 288, {"Falun", "Borlänge", "Mora"}, "Falu lasarett", 0.9},
      {"Region Gävleborg", "2321000198", "", 287, {"Gävle", "Hudiksvall", "Bollnäs"}, "Gävle sjukhus", 0.65},
      {"Region Västernorrland", "2321000206", "", 243, {"Sundsvall", "Härnösand", "Örnsköldsvik"}, "Sundsvalls sjukhus", 0.7},
      {"Region Jämtland Härjedalen", "2321000214", "", 132, {"Östersund", "Sveg", "Strömsund"}, "Östersunds sjukhus", 0.6},
      {"Region Västerbotten", "2321000222", "", 275, {"Umeå", "Skellefteå", "Lycksele"}, "Norrlands universitetssjukhus", 0.8},
      {"Region Norrbotten", "2321000230", "", 249, {"Luleå", "Piteå", "Kiruna"}, "Sunderby sjukhus", 0.55},
  };
}

// The main booking-capable patient record system of each region (as of the 2020s, simplified).
std::string_view main_product(std::string_view organisation_number) {
  static const std::array<std::pair<std::string_view, std::string_view>, 21> table{{
      {"2321000016", "TakeCare"},   {"2321000024", "Cosmic"},    {"2321000032", "Cosmic"},
      {"2321000040", "Cosmic"},     {"2321000057", "Cosmic"},    {"2321000065", "Cosmic"},
      {"2321000073", "Cosmic"},     {"2120000803", "TakeCare"},  {"2321000081", "Cosmic"},
      {"2321000255", "PMO"},        {"2321000115", "VAS"},       {"2321000131", "Melior"},
      {"2321000156", "Cosmic"},     {"2321000164", "Cosmic"},    {"2321000172", "Cosmic"},
      {"2321000180", "TakeCare"},   {"2321000198", "Cosmic"},    {"2321000206", "Cosmic"},
      {"2321000214", "Cosmic"},     {"2321000222", "Cosmic"},    {"2321000230", "VAS"},
  }};
  for (const auto& [org, product] : table) {
    if (org == organisation_number) return product;
  }
  return "Cosmic";
}

struct PlannedSystem {
  std::string organisation_number;
  std::string product;
  std::string id;  // empty = generated
};

// The systems config/bokaded.toml names, so the demo's metric labels line up with the simulator.
const std::vector<PlannedSystem>& configured_systems() {
  static const std::vector<PlannedSystem> v{
      {"2321000016", "TakeCare", "SE2321000016-A2BF"},
      {"2321000016", "TakeCare", "SE2321000016-A21Q"},
      {"2321000057", "Cosmic", "SE2321000057-4LPF"},
      {"2321000040", "Cosmic", "SE2321000040T-YY0042"},
      {"2321000131", "Melior", "SE2321000131-S000000002253"},
      {"2321000131", "Millennium", "SE2321000131-MILL1"},
      {"2321000255", "PMO", "SE2321000255-PMO1"},
  };
  return v;
}

struct UnitKind {
  std::string_view name;  // "{town}" / "{hospital}" are replaced
  bool confidential;
  std::array<std::string_view, 3> children;  // sub-clinic names; empty = none
};

const std::vector<UnitKind>& unit_kinds(std::string_view product) {
  static const std::vector<UnitKind> dental{
      {"Folktandvården {town}", false, {"Barn- och ungdomstandvård", "Allmäntandvård", ""}},
      {"Specialisttandvården {hospital}", false, {"Käkkirurgi", "Ortodonti", ""}},
  };
  static const std::vector<UnitKind> general{
      {"Vårdcentralen {town}", false, {"Distriktssköterskemottagning", "Barnavårdscentral", "Diabetesmottagning"}},
      {"Ortopedmottagningen {hospital}", false, {"Handkirurgi", "Fotmottagning", ""}},
      {"Kvinnokliniken {hospital}", false, {"Barnmorskemottagning", "Gynekologmottagning", ""}},
      {"Ögonmottagningen {hospital}", false, {"", "", ""}},
      {"Hudmottagningen {hospital}", false, {"Ljusbehandling", "", ""}},
      {"Barn- och ungdomsmedicinska mottagningen {town}", false, {"", "", ""}},
      {"Öron-näsa-halsmottagningen {hospital}", false, {"Hörselvården", "", ""}},
      {"Fysioterapin {town}", false, {"", "", ""}},
      {"Mammografin {hospital}", false, {"", "", ""}},
      {"Ungdomsmottagningen {town}", true, {"", "", ""}},
      {"Beroendemottagningen {town}", true, {"", "", ""}},
      {"Medicinmottagningen {hospital}", false, {"Hjärtmottagning", "Njurmottagning", "Strokemottagning"}},
  };
  return product == "T4" ? dental : general;
}

std::string replace_placeholders(std::string_view pattern, const Region& r, Draw& d) {
  std::string out(pattern);
  if (auto p = out.find("{town}"); p != std::string::npos) out.replace(p, 6, r.towns[d.below(r.towns.size())]);
  if (auto p = out.find("{hospital}"); p != std::string::npos) out.replace(p, 10, r.hospital);
  return out;
}

// HSA-id suffixes in the two styles regions use: short alphanumeric ("SE2321000016-7P35") and VGR's
// long numeric one ("SE2321000131-E000000011801").
std::string hsa_suffix(const Region& r, Draw& d) {
  static constexpr std::string_view alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  if (r.organisation_number == "2321000131") {
    return "E0000000" + std::to_string(10000 + d.below(89999));
  }
  std::string s;
  for (int i = 0; i < 4; ++i) s += alnum[d.below(alnum.size())];
  return s;
}

}  // namespace

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view to_string(TakPermission p) noexcept {
  switch (p) {
    case TakPermission::granted: return "granted";
    case TakPermission::missing: return "missing";
    case TakPermission::expired: return "expired";
    case TakPermission::not_yet_valid: return "not_yet_valid";
  }
  return "missing";
}

const std::vector<TimeType>& World::time_types() {
  static const std::vector<TimeType> v{
      {"BES", "Besök", false, 30},        {"NYB", "Nybesök", false, 10},
      {"ATB", "Återbesök", false, 20},    {"TEL", "Telefontid", false, 15},
      {"VID", "Videobesök", false, 8},    {"PROV", "Provtagning", false, 10},
      {"ADM", "Administration", true, 4}, {"DOLJ", "Dölj i 1177", true, 3},
  };
  return v;
}

UtcTime stockholm_local(std::chrono::sys_days day, std::chrono::minutes time_of_day) {
  const UtcTime as_if_utc{std::chrono::sys_seconds{day} + time_of_day};
  const auto guess = as_if_utc - stockholm_offset(as_if_utc);
  return as_if_utc - stockholm_offset(guess);
}

std::chrono::year_month_day stockholm_today() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now + stockholm_offset(now))};
}

Expected<World> World::build(const WorldOptions& options) {
  if (options.persons == 0) return fail("--persons must be at least 1");
  if (options.persons > 30'000'000) return fail("--persons must be at most 30000000");
  if (options.systems == 0) return fail("--systems must be at least 1");
  if (options.care_units_per_system == 0) return fail("--clinics-per-system must be at least 1");
  World w;
  w.options_ = options;
  if (!w.options_.epoch.ok()) w.options_.epoch = stockholm_today();
  w.epoch_start_ = stockholm_local(std::chrono::sys_days{w.options_.epoch}, std::chrono::minutes{0});
  w.regions_ = swedish_regions();
  for (auto& r : w.regions_) r.hsa_prefix = "SE" + r.organisation_number;
  auto region_by_org = [&](std::string_view org) -> std::size_t {
    for (std::size_t i = 0; i < w.regions_.size(); ++i) {
      if (w.regions_[i].organisation_number == org) return i;
    }
    return 0;
  };

  // Plan the systems: the configured ones, then each other region's main system, then Folktandvården's
  // T4 in every region, then private primary care (Asynja Visph), then further instances.
  std::vector<PlannedSystem> plan = configured_systems();
  std::set<std::string> covered;
  for (const auto& p : plan) covered.insert(p.organisation_number);
  for (const auto& r : w.regions_) {
    if (!covered.contains(r.organisation_number)) plan.push_back({r.organisation_number, std::string(main_product(r.organisation_number)), ""});
  }
  for (const std::string_view product : {"T4", "Asynja Visph"}) {
    for (const auto& r : w.regions_) plan.push_back({r.organisation_number, std::string(product), ""});
  }
  for (std::size_t round = 0; plan.size() < options.systems; ++round) {
    const auto& r = w.regions_[round % w.regions_.size()];
    plan.push_back({r.organisation_number, std::string(main_product(r.organisation_number)), ""});
  }
  plan.resize(options.systems);

  std::set<std::string> used_ids;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    Draw d(mix(options.seed, 0x5157, i));
    BookingSystem s;
    s.region = region_by_org(plan[i].organisation_number);
    const Region& region = w.regions_[s.region];
    s.product = plan[i].product;
    s.id = plan[i].id;
    while (s.id.empty() || used_ids.contains(upper(s.id))) s.id = region.hsa_prefix + "-" + hsa_suffix(region, d);
    used_ids.insert(upper(s.id));
    s.index_at_parent = s.product == "Cosmic" || s.product == "Melior";
    s.categorization = s.product == "Melior" ? "Booking" : "NA";
    if (s.product == "T4") {
      s.care_type_id = "TAND";
      s.care_type_name = "Tandvård";
    } else if (s.product == "Asynja Visph" || s.product == "PMO") {
      s.care_type_id = "PV";
      s.care_type_name = "Primärvård";
    } else {
      s.care_type_id = "OPV";
      s.care_type_name = "Öppen specialistvård";
    }
    // The demo contrast within one region: VGR indexes 40 % overall, its Millennium almost everything.
    if (s.id == "SE2321000131-MILL1") s.index_share = 0.98;
    w.systems_.push_back(std::move(s));
  }

  for (const auto& [key, share] : options.index_shares) {
    if (share < 0.0 || share > 1.0) return fail("--index-share " + key + ": share must be between 0 and 1");
    bool found = false;
    for (auto& r : w.regions_) {
      if (r.name == key || r.organisation_number == key) {
        r.index_share = share;
        found = true;
      }
    }
    for (auto& s : w.systems_) {
      if (upper(s.id) == upper(key)) {
        s.index_share = share;
        found = true;
      }
    }
    if (!found) return fail("--index-share " + key + ": no region name, organisation number or system id matches");
  }

  // Clinics: care units, some with sub-clinics that the unit's address also answers for.
  std::set<std::string> used_hsa;
  for (std::size_t si = 0; si < w.systems_.size(); ++si) {
    BookingSystem& s = w.systems_[si];
    const Region& region = w.regions_[s.region];
    const auto& kinds = unit_kinds(s.product);
    Draw d(mix(options.seed, 0xC11, si));
    auto new_clinic = [&](std::string name, bool confidential, std::optional<std::size_t> parent) {
      Clinic c;
      do c.hsa_id = region.hsa_prefix + "-" + hsa_suffix(region, d);
      while (used_hsa.contains(c.hsa_id) || used_ids.contains(c.hsa_id));
      used_hsa.insert(c.hsa_id);
      c.name = std::move(name);
      c.system = si;
      c.parent = parent;
      c.confidential = confidential;
      const double u = d.uniform();
      if (u < options.tak_share) {
        c.permission = TakPermission::granted;
      } else {
        const double v = d.uniform();
        c.permission = v < 0.7 ? TakPermission::missing : v < 0.9 ? TakPermission::expired : TakPermission::not_yet_valid;
      }
      w.clinics_.push_back(std::move(c));
      s.clinics.push_back(w.clinics_.size() - 1);
      return w.clinics_.size() - 1;
    };
    for (std::size_t u = 0; u < options.care_units_per_system; ++u) {
      const UnitKind& kind = u == 0 ? kinds[0] : kinds[d.below(kinds.size())];
      const std::size_t unit = new_clinic(replace_placeholders(kind.name, region, d), kind.confidential, std::nullopt);
      const std::size_t n_children = d.below(4);
      for (std::size_t c = 0; c < n_children && c < kind.children.size(); ++c) {
        if (kind.children[c].empty()) break;
        const std::size_t child = new_clinic(w.clinics_[unit].name + ", " + std::string(kind.children[c]), kind.confidential, unit);
        w.clinics_[unit].children.push_back(child);
      }
    }
  }

  w.by_region_.assign(w.regions_.size(), {});
  for (std::size_t i = 0; i < w.clinics_.size(); ++i) {
    w.by_region_[w.systems_[w.clinics_[i].system].region].push_back(i);
    w.clinic_index_.emplace(upper(w.clinics_[i].hsa_id), i);
  }
  for (std::size_t i = 0; i < w.systems_.size(); ++i) w.system_index_.emplace(upper(w.systems_[i].id), i);
  // Persons live in regions that have clinics; with few systems some regions have none.
  double total = 0;
  for (std::size_t r = 0; r < w.regions_.size(); ++r) {
    total += w.by_region_[r].empty() ? 0.0 : w.regions_[r].population;
    w.population_cdf_.push_back(total);
  }
  for (auto& c : w.population_cdf_) c /= total;
  w.generated_systems_ = w.systems_.size();
  w.generated_clinics_ = w.clinics_.size();
  if (options.agp_fixture) w.add_agp_fixture();
  return w;
}

void World::add_agp_fixture() {
  // A region of its own with no inhabitants: region_for() never picks it (the population CDF is
  // complete without it), and the HSA-ID-n systems are no region's.
  Region r;
  r.name = agp::region_name;
  r.organisation_number = agp::organisation_number;
  r.hsa_prefix = "SE" + r.organisation_number;
  r.population = 0;
  r.index_share = 1.0;
  agp_region_ = regions_.size();
  regions_.push_back(std::move(r));
  by_region_.emplace_back();
  for (const auto& a : agp::test_addresses()) {
    BookingSystem s;
    s.id = a.hsa_id;
    s.product = agp::product;
    s.region = *agp_region_;
    s.index_share = 1.0;  // every fixture booking is indexed: the fixture says so, not a draw
    s.care_type_id = a.care_type_id;
    s.care_type_name = a.care_type_name;
    Clinic c;
    c.hsa_id = a.hsa_id;
    c.name = a.clinic_name;
    c.system = systems_.size();
    c.permission = a.permitted ? TakPermission::granted : TakPermission::missing;
    s.clinics.push_back(clinics_.size());
    system_index_.emplace(upper(s.id), systems_.size());
    clinic_index_.emplace(upper(c.hsa_id), clinics_.size());
    by_region_.back().push_back(clinics_.size());
    systems_.push_back(std::move(s));
    clinics_.push_back(std::move(c));
  }
}

std::optional<std::size_t> World::find_clinic(std::string_view hsa_id) const {
  const auto it = clinic_index_.find(upper(hsa_id));
  if (it == clinic_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> World::find_system(std::string_view id) const {
  const auto it = system_index_.find(upper(id));
  if (it == system_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::size_t> World::answering_addresses(std::size_t clinic) const {
  std::vector<std::size_t> v{clinic};
  if (clinics_[clinic].parent) v.push_back(*clinics_[clinic].parent);
  return v;
}

std::size_t World::region_for(double u) const noexcept {
  const auto it = std::upper_bound(population_cdf_.begin(), population_cdf_.end(), u);
  return std::min<std::size_t>(static_cast<std::size_t>(it - population_cdf_.begin()), regions_.size() - 1);
}

}  // namespace bokade::sim
