#include "person.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "agp_fixture.hpp"
#include "bokade/core/person_id.hpp"

namespace bokade::sim {
namespace {

using namespace std::chrono;

const sys_days first_birth_day = sys_days{year{1925} / January / 1};
const std::uint64_t birth_days = static_cast<std::uint64_t>((sys_days{year{2025} / January / 1} - first_birth_day).count());
constexpr std::uint64_t serials = 999;  // 001–999
const std::uint64_t space = birth_days * serials;
constexpr std::uint64_t stride = 1'000'003;  // prime, does not divide the space

std::uint64_t mod_inverse(std::uint64_t a, std::uint64_t m) {
  std::int64_t t = 0, new_t = 1;
  auto r = static_cast<std::int64_t>(m), new_r = static_cast<std::int64_t>(a % m);
  while (new_r != 0) {
    const std::int64_t q = r / new_r;
    t = std::exchange(new_t, t - q * new_t);
    r = std::exchange(new_r, r - q * new_r);
  }
  if (t < 0) t += static_cast<std::int64_t>(m);
  return static_cast<std::uint64_t>(t);
}

char luhn_digit(std::string_view nine) {
  int sum = 0;
  for (std::size_t i = 0; i < nine.size(); ++i) {
    int v = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

void append_padded(std::string& out, unsigned value, int width) {
  std::array<char, 12> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  (void)ec;
  for (auto n = end - buf.data(); n < width; ++n) out += '0';
  out.append(buf.data(), end);
}

const std::array<std::string_view, 20> first_names{"Anna", "Erik", "Maria", "Lars", "Karin", "Per", "Eva", "Johan",
                                                   "Sara", "Mikael", "Lena", "Anders", "Emma", "Fredrik", "Åsa",
                                                   "Göran", "Linnéa", "Björn", "Sofia", "Mohammed"};
const std::array<std::string_view, 20> last_names{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson",
                                                  "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
                                                  "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
                                                  "Öberg", "Åkesson", "Lindström", "Ali", "Hassan"};
const std::array<std::string_view, 10> purposes{"Återbesök", "Uppföljning", "Hälsokontroll", "Provtagning inför besök",
                                                "Läkarbesök", "Sjuksköterskebesök", "Bedömning", "Behandling",
                                                "Vaccination", "Samtal"};
const std::array<std::string_view, 6> invitations{"Kallelse till mammografi", "Kallelse till cellprovtagning",
                                                  "Kallelse till vaccination", "Kallelse till årlig kontroll",
                                                  "Kallelse till screening av bukaorta", "Kallelse till tandundersökning"};
const std::array<std::string_view, 8> reasons{"", "Ont i ryggen", "Kontroll av blodtryck", "Förnyelse av recept",
                                              "Besvär med knät", "Hudförändring", "Hörselnedsättning", "Eksem"};

}  // namespace

namespace {

// The identity with key k (birth day · serials + serial - 1).
std::string format_key(std::uint64_t k, bool samordningsnummer) {
  const sys_days day = first_birth_day + days{static_cast<int>(k / serials)};
  const year_month_day ymd{day};
  const unsigned serial = static_cast<unsigned>(k % serials) + 1;
  std::string id;
  id.reserve(12);
  append_padded(id, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  append_padded(id, static_cast<unsigned>(ymd.month()), 2);
  append_padded(id, static_cast<unsigned>(ymd.day()) + (samordningsnummer ? 60U : 0U), 2);
  append_padded(id, serial, 3);
  id += luhn_digit(std::string_view(id).substr(2, 9));
  return id;
}

struct ParsedKey {
  std::uint64_t key = 0;
  bool samordningsnummer = false;
};

// The key of a 12-digit identity inside the world's range (the check digit is not looked at).
std::optional<ParsedKey> parse_key(std::string_view id) {
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t n) {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + static_cast<unsigned>(id[i] - '0');
    return v;
  };
  unsigned d = num(6, 2);
  const bool samordning = d > 60;
  if (samordning) d -= 60;
  const year_month_day ymd{year{static_cast<int>(num(0, 4))}, month{num(4, 2)}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  const auto day_index = (sys_days{ymd} - first_birth_day).count();
  if (day_index < 0 || static_cast<std::uint64_t>(day_index) >= birth_days) return std::nullopt;
  const unsigned serial = num(8, 3);
  if (serial == 0) return std::nullopt;
  return ParsedKey{static_cast<std::uint64_t>(day_index) * serials + (serial - 1), samordning};
}

}  // namespace

PersonCodec::PersonCodec(std::uint64_t seed, std::size_t persons, double samordningsnummer_share)
    : seed_(seed), persons_(persons), samordning_share_(samordningsnummer_share),
      offset_(mix(seed, 0x1D) % space), inverse_(mod_inverse(stride, space)) {
  std::vector<std::uint64_t> reserved;
  for (const auto& p : agp::test_persons()) {
    if (const auto k = parse_key(p.id); k && !k->samordningsnummer) reserved.push_back(k->key);
  }
  // Spares come from the top of the index range, far above any world (at most 30 million persons).
  std::uint64_t spare = space;
  for (const std::uint64_t k : reserved) {
    const std::uint64_t index = unpermute(k);
    if (index >= persons_ || is_samordningsnummer(static_cast<std::size_t>(index))) continue;  // not issued
    do --spare;
    while (std::find(reserved.begin(), reserved.end(), permute(spare)) != reserved.end());
    reassigned_.push_back({index, spare});
  }
}

std::uint64_t PersonCodec::permute(std::uint64_t index) const noexcept { return (index % space * stride + offset_) % space; }
std::uint64_t PersonCodec::unpermute(std::uint64_t key) const noexcept { return ((key + space - offset_) % space) * inverse_ % space; }

bool PersonCodec::is_samordningsnummer(std::size_t index) const noexcept {
  return unit(mix(seed_, 0x5A, index)) < samordning_share_;
}

std::string PersonCodec::id_of(std::size_t index) const {
  std::uint64_t k = permute(index);
  for (const auto& r : reassigned_) {
    if (r.index == index) k = permute(r.spare);
  }
  return format_key(k, is_samordningsnummer(index));
}

std::optional<std::size_t> PersonCodec::index_of(std::string_view id) const {
  const auto key = parse_key(id);
  if (!key) return std::nullopt;
  std::uint64_t i = unpermute(key->key);
  for (const auto& r : reassigned_) {
    if (r.spare == i) i = r.index;
  }
  if (i >= persons_) return std::nullopt;
  if (id_of(static_cast<std::size_t>(i)) != id) return std::nullopt;  // wrong kind, checksum or a reserved identity
  return static_cast<std::size_t>(i);
}

std::string booking_id_for(const World& world, std::size_t clinic, std::size_t person, std::uint64_t serial) {
  const auto& system = world.systems()[world.clinics()[clinic].system];
  const std::uint64_t h = mix(world.options().seed ^ 0xB00C, person, serial);
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string id;
  if (system.product == "TakeCare") {
    id = std::to_string(1'000'000'000'000'000ULL + h % 9'000'000'000'000'000ULL);
  } else if (system.product == "Melior" || system.product == "VAS") {
    id = "M" + std::to_string(h % 10'000'000'000'000ULL);
  } else {
    // GUID style (Cosmic, PMO, T4, Millennium, …)
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
      id += hex[(i < 16 ? h >> (i * 4) : mix(h) >> ((i - 16) * 4)) & 0xF];
    }
  }
  return id;
}

Person generate_person(const World& world, const PersonCodec& codec, std::size_t index) {
  const auto& opts = world.options();
  Draw d(mix(opts.seed, 0x9E50, index));
  Person p;
  p.index = index;
  p.id = codec.id_of(index);
  p.samordningsnummer = codec.is_samordningsnummer(index);
  p.region = world.region_for(d.uniform());
  const double keep_going = opts.mean_bookings / (1.0 + opts.mean_bookings);
  std::size_t n = 0;
  while (n < 12 && d.chance(keep_going)) ++n;
  const auto& home = world.clinics_in_region(p.region);
  const auto& types = World::time_types();
  unsigned total_weight = 0;
  for (const auto& t : types) total_weight += t.weight;
  const sys_days epoch_day{opts.epoch};
  for (std::size_t j = 0; j < n; ++j) {
    Booking b;
    b.clinic = (d.chance(0.75) && !home.empty()) ? home[d.below(home.size())] : d.below(world.generated_clinics());
    b.id = booking_id_for(world, b.clinic, index, j);
    const auto day = epoch_day + days{1 + static_cast<int>(d.below(180))};
    b.start = stockholm_local(day, minutes{450 + 15 * static_cast<int>(d.below(37))});
    static constexpr std::array<int, 5> lengths{15, 20, 30, 45, 60};
    b.end = b.start + minutes{lengths[d.below(lengths.size())]};
    unsigned w = static_cast<unsigned>(d.below(total_weight));
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (w < types[t].weight) {
        b.time_type = t;
        break;
      }
      w -= types[t].weight;
    }
    b.invitation = d.chance(0.12);
    b.indexed = d.chance(world.index_share(world.systems()[world.clinics()[b.clinic].system]));
    b.detail = d.next();
    b.created = world.epoch_start() - hours{24 * static_cast<int>(1 + d.below(90))} + minutes{d.below(1440)};
    b.updated = b.created;
    p.bookings.push_back(std::move(b));
  }
  // Legacy relations: most clinics the person has bookings at (as the care unit or the sub-clinic),
  // and sometimes a clinic of the home region without any booking.
  for (const auto& b : p.bookings) {
    if (!d.chance(0.8)) continue;
    const auto& c = world.clinics()[b.clinic];
    p.relations.push_back(c.parent && d.chance(0.5) ? *c.parent : b.clinic);
  }
  if (!home.empty() && d.chance(0.5)) p.relations.push_back(home[d.below(home.size())]);
  std::sort(p.relations.begin(), p.relations.end());
  p.relations.erase(std::unique(p.relations.begin(), p.relations.end()), p.relations.end());
  return p;
}

BookingDetail booking_detail(const World& world, const Booking& booking) {
  Draw d(booking.detail);
  const auto& clinic = world.clinics()[booking.clinic];
  const auto& region = world.region_of_clinic(booking.clinic);
  BookingDetail out;
  const std::size_t performer = d.below(400);
  out.performer = region.hsa_prefix + "-P" + std::to_string(1000 + performer);
  out.performer_name = std::string(first_names[performer % first_names.size()]) + " " +
                       std::string(last_names[(performer / first_names.size()) % last_names.size()]);
  out.purpose = booking.invitation ? std::string(invitations[d.below(invitations.size())])
                                   : std::string(purposes[d.below(purposes.size())]);
  out.reason = std::string(reasons[d.below(reasons.size())]);
  const std::size_t room = 1 + d.below(12);
  out.resource_id = "R" + std::to_string(room);
  out.resource_name = (world.systems()[clinic.system].product == "T4" ? "Behandlingsrum " : "Mottagningsrum ") + std::to_string(room);
  out.cancel_allowed = !booking.invitation && d.chance(0.7);
  out.rebook_allowed = d.chance(0.5);
  out.message_allowed = d.chance(0.3);
  return out;
}

}  // namespace bokade::sim
