#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include <boost/program_options.hpp>

namespace bokade::sim {
namespace po = boost::program_options;

namespace {

constexpr const char* usage = R"(bokade-sim — the national platform simulator (engagement index, VP, TAK and the booking
systems of 21 regions) that bokade's tests, demo and benchmarks talk to, on loopback.

Usage: bokade-sim [options]

Endpoints (all on --listen):
  POST /vp/<any path>            VP: dispatches on the SOAP body's first element.
                                 GetSubjectOfCareSchedule -> the booking system serving the LogicalAddress
                                 header; FindContent -> the engagement index (LogicalAddress must be
                                 --ei-logical-address). Caller = header x-rivta-original-serviceconsumer-hsaid,
                                 else --default-consumer. Faults: VP002 unknown service, VP003 no logical
                                 address, VP004 no route, VP007 not authorized in TAK, VP009 producer
                                 timeout / refused / reset (HTTP 500 SOAP faults).
  POST /ei/<any path>            the engagement index's own FindContent endpoint (no TAK check).
  GET  /tak/export.json          TAK export JSON (formatVersion 1): rivtaprofil, tjanstekontrakt,
                                 logiskadress, tjanstekomponent, anropsadress, anropsbehorighet, vagval.
  POST /producer/<system id>     on each booking system's own port (see GET /control/systems and the
                                 TAK anropsadress): direct routing, with socket-level faults.
  /control/...                   JSON control API: see docs in tests/sim/control_api.cpp or GET /control.

Relations file (--write-relations FILE): the legacy path's clinic relations, one per line.
  FILE ending in .jsonl:  {"personnummer":"199001012383","logicalAddress":"SE2321000016-7P35"}
  anything else (CSV):    header "personnummer,logicalAddress", then 199001012383,SE2321000016-7P35

Fault modes (--fault, and PUT /control/systems/{id}): none, timeout (never answers; VP gives VP009
after --vp-timeout), refused (the system's own listener is closed; VP gives VP009), reset (half the
body, then TCP RST; VP gives VP009), http500 (SOAP fault from the producer), malformed (XML that is not
well-formed), drip (--drip-chunk bytes every --drip-interval), oversized (a body of --oversized-bytes).
SYSTEM in --fault/--latency/--error-rate is a system id (sourceSystem HSA-id) or * for all.
Durations: 250ms, 5s, 2m, 1500us. Latency: 50ms | fixed:50ms | lognormal:MEDIAN:P99.

AGP test persons (--agp-fixture; tests/sim/agp_fixture.hpp has the details, GET /control/agp the data):
the reference aggregating service's (AGP) standard test cases, added after the generated world, which
stays as it is. Booking systems HSA-ID-1 .. HSA-ID-7, one clinic each ("AGP testmottagning N",
logical address = sourceSystem = HSA-ID-N), reached through /vp/ like every system; TAK lets
--consumer call HSA-ID-1..6, not HSA-ID-7 (VP007). Engagements in EI (FindContent, the replay),
categorization NA, businessObjectInstanceIdentifier = bookingId; one booking per engagement, start
09:30 Stockholm time on day 7+i after --epoch (i = row 0..11 below), 30 minutes.
  TC1 121212121212 Tolvan   HSA-ID-4/1002 HSA-ID-5/1003 HSA-ID-6/1004          AGP: 3 statuses, 3 timeslots
  TC2 188803099368 Agda     no engagements                                     AGP: 0, 0
  TC3 194911172296 Sven     HSA-ID-1/1001 HSA-ID-2/1001;                       AGP: 2, 1
                            HSA-ID-2 answers an empty response
  TC4 198611062384 Ulla     HSA-ID-1/1002 HSA-ID-2/1003 HSA-ID-2/1004          AGP: 3, 3, 1 error
                            HSA-ID-3/1004; HSA-ID-3 never answers (VP009 after --vp-timeout)
  TC5 192011189228 Gunbritt HSA-ID-1/5001; HSA-ID-1 answers a SOAP fault       AGP: 1, 0, 1 error
  TC6 194804032094 Laban    HSA-ID-7/6001 (no TAK permission)                  AGP: 0, 0
  TC7 194808069887          HSA-ID-7/7001 (no TAK permission)                  AGP: 0, 0
The special answers hold for those (address, person) pairs only; everyone else gets their bookings.

Options)";

template <class T>
Expected<T> parse_number(const std::string& text, const std::string& what) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return fail(what + ": '" + text + "' is not a number");
  return v;
}

Expected<std::pair<std::string, std::string>> split_assignment(const std::string& text, const std::string& option) {
  const auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return fail(option + " wants KEY=VALUE, got '" + text + "'");
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

Expected<double> parse_share(const std::string& text, const std::string& what) {
  auto v = parse_number<double>(text, what);
  if (!v) return v;
  if (*v < 0.0 || *v > 1.0) return fail(what + " must be between 0 and 1");
  return v;
}

Expected<Micros> duration_option(const std::string& text, const std::string& what) {
  auto d = parse_duration(text);
  if (!d) return fail(what + ": " + d.error().message);
  return d;
}

}  // namespace

Expected<ParsedOptions> parse_options(int argc, char** argv) {
  std::string listen = "127.0.0.1:9090", epoch, vp_timeout = "5s", drip_interval = "100ms";
  std::string redeliver = "2s", push_timeout = "10s";
  std::vector<std::string> faults, latencies, error_rates, shares;
  ParsedOptions out;
  SimOptions& o = out.options;

  po::options_description general("General");
  general.add_options()
      ("help,h", "print this help and exit")
      ("listen", po::value(&listen)->default_value(listen), "ADDR:PORT of the shared listener; port 0 = any free port")
      ("ready-file", po::value(&o.ready_file), "once listening, write {\"address\":\"127.0.0.1:NNNN\",\"pid\":N} to FILE")
      ("threads", po::value(&o.threads)->default_value(o.threads), "threads running the event loop")
      ("log-level", po::value(&o.log_level)->default_value(o.log_level), "trace, debug, info, warn, error")
      ("write-tak", po::value(&o.write_tak), "write the TAK export JSON to FILE at start-up")
      ("write-relations", po::value(&o.write_relations), "write every person's legacy clinic relations to FILE (format above)");

  po::options_description world("World (deterministic from --seed and --epoch)");
  world.add_options()
      ("seed", po::value(&o.world.seed)->default_value(o.world.seed), "seed of everything generated")
      ("persons", po::value(&o.world.persons)->default_value(o.world.persons), "persons (generated lazily; 1000000 is fine)")
      ("systems", po::value(&o.world.systems)->default_value(o.world.systems),
       "booking systems; the first 7 are the ones config/bokaded.toml names, then one per remaining region, "
       "then T4 and Asynja Visph per region")
      ("clinics-per-system", po::value(&o.world.care_units_per_system)->default_value(o.world.care_units_per_system),
       "care units per system, each with 0-3 sub-clinics (child HSA-ids) the unit's address also answers for")
      ("mean-bookings", po::value(&o.world.mean_bookings)->default_value(o.world.mean_bookings), "mean bookings per person (geometric)")
      ("samordningsnummer-share", po::value(&o.world.samordningsnummer_share)->default_value(o.world.samordningsnummer_share),
       "share of persons identified by a samordningsnummer")
      ("index-share", po::value(&shares)->composing(),
       "KEY=SHARE (repeatable): share of bookings indexed in EI for a region (name or organisation number) or a "
       "system id; defaults range from Västra Götalandsregionen 0.40 to Region Stockholm 0.95")
      ("tak-share", po::value(&o.world.tak_share)->default_value(o.world.tak_share),
       "share of clinics TAK lets --consumer call; the rest have no, an expired or a future anropsbehorighet")
      ("epoch", po::value(&epoch), "the world's today, YYYY-MM-DD (default: today in Stockholm); bookings lie after it")
      ("agp-fixture", po::bool_switch(&o.world.agp_fixture),
       "add the AGP standard test persons and their booking systems HSA-ID-1..7 (see above)");

  po::options_description platform("Platform");
  platform.add_options()
      ("consumer", po::value(&o.consumer)->default_value(o.consumer), "the consumer HSA-id TAK grants permissions to")
      ("default-consumer", po::value(&o.vp.default_consumer)->default_value(o.vp.default_consumer),
       "caller assumed when a request has no x-rivta-original-serviceconsumer-hsaid header")
      ("ei-logical-address", po::value(&o.ei_logical_address)->default_value(o.ei_logical_address),
       "the engagement index's logical address (FindContent via VP)")
      ("ei-owner", po::value(&o.ei_owner)->default_value(o.ei_owner), "owner field of every engagement")
      ("vp-timeout", po::value(&vp_timeout)->default_value(vp_timeout), "VP's producer timeout: slower answers become VP009");

  po::options_description producers("Booking systems");
  producers.add_options()
      ("fault", po::value(&faults)->composing(), "SYSTEM=MODE (repeatable): fault mode of a system")
      ("latency", po::value(&latencies)->composing(), "SYSTEM=LATENCY (repeatable), e.g. *=lognormal:20ms:400ms")
      ("error-rate", po::value(&error_rates)->composing(), "SYSTEM=P (repeatable): share of calls answered with an HTTP 500 SOAP fault")
      ("oversized-bytes", po::value(&o.producer.oversized_bytes)->default_value(o.producer.oversized_bytes), "body size of fault mode oversized")
      ("drip-interval", po::value(&drip_interval)->default_value(drip_interval), "pause between chunks of fault mode drip")
      ("drip-chunk", po::value(&o.producer.drip_chunk)->default_value(o.producer.drip_chunk), "bytes per chunk of fault mode drip");

  po::options_description ei("Engagement index push (ProcessNotification)");
  ei.add_options()
      ("subscriber", po::value(&o.push.subscriber_url),
       "URL of the subscriber's ProcessNotification endpoint, e.g. "
       "http://127.0.0.1:8080/rivta/itintegration/engagementindex/ProcessNotification/1/rivtabp21; unset = no push")
      ("subscriber-logical-address", po::value(&o.push.logical_address)->default_value(o.push.logical_address),
       "LogicalAddress header of the notifications (the daemon's EI logical address)")
      ("ei-rate", po::value(&o.push.batches_per_second)->default_value(o.push.batches_per_second), "batches per second at most")
      ("ei-batch-size", po::value(&o.push.batch_size)->default_value(o.push.batch_size), "transactions per batch at most")
      ("ei-duplicates", po::value(&o.push.habits.duplicates)->default_value(0.0), "per transaction: probability it is sent twice")
      ("ei-reorder", po::value(&o.push.habits.reorder)->default_value(0.0),
       "per batch: probability it is shuffled and one transaction held back to the next batch")
      ("ei-phantom-deletes", po::value(&o.push.habits.phantom_deletes)->default_value(0.0),
       "per batch: probability of a delete for a key never created")
      ("ei-unchanged", po::value(&o.push.habits.unchanged)->default_value(0.0),
       "per batch: probability of an existing engagement relayed again unchanged")
      ("ei-redeliver-delay", po::value(&redeliver)->default_value(redeliver),
       "a batch the subscriber faulted, refused or did not answer is sent again after this")
      ("ei-timeout", po::value(&push_timeout)->default_value(push_timeout), "deadline of one ProcessNotification call")
      ("ei-replay-on-start", po::bool_switch(&o.replay_on_start), "push the whole initial index at start (as POST /control/ei/replay)");

  po::options_description all;
  all.add(general).add(world).add(platform).add(producers).add(ei);
  std::ostringstream help;
  help << usage << "\n" << all;
  out.help_text = help.str();

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (vm.count("help")) {
    out.help = true;
    return out;
  }

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fail("--listen wants ADDR:PORT");
  o.listen_address = listen.substr(0, colon);
  auto port = parse_number<std::uint16_t>(listen.substr(colon + 1), "--listen port");
  if (!port) return Unexpected<Error>{port.error()};
  o.listen_port = *port;
  if (o.threads == 0 || o.threads > 64) return fail("--threads must be 1 to 64");
  if (o.push.batch_size == 0) return fail("--ei-batch-size must be at least 1");
  if (o.push.batches_per_second <= 0) return fail("--ei-rate must be positive");
  for (double p : {o.push.habits.duplicates, o.push.habits.reorder, o.push.habits.phantom_deletes, o.push.habits.unchanged,
                   o.world.tak_share, o.world.samordningsnummer_share}) {
    if (p < 0.0 || p > 1.0) return fail("probabilities and shares must be between 0 and 1");
  }
  if (o.producer.drip_chunk == 0) return fail("--drip-chunk must be at least 1");

  if (!epoch.empty()) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(epoch.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return fail("--epoch wants YYYY-MM-DD");
    o.world.epoch = std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!o.world.epoch.ok()) return fail("--epoch: no such date");
  }
  auto vt = duration_option(vp_timeout, "--vp-timeout");
  auto di = duration_option(drip_interval, "--drip-interval");
  auto rd = duration_option(redeliver, "--ei-redeliver-delay");
  auto pt = duration_option(push_timeout, "--ei-timeout");
  for (auto* d : {&vt, &di, &rd, &pt}) {
    if (!*d) return Unexpected<Error>{d->error()};
  }
  o.vp.producer_timeout = *vt;
  o.producer.drip_interval = *di;
  o.push.redeliver_delay = *rd;
  o.push.timeout = *pt;

  for (const auto& s : shares) {
    auto kv = split_assignment(s, "--index-share");
    if (!kv) return Unexpected<Error>{kv.error()};
    auto share = parse_share(kv->second, "--index-share " + kv->first);
    if (!share) return Unexpected<Error>{share.error()};
    o.world.index_shares.emplace_back(kv->first, *share);
  }
  for (const auto& f : faults) {
    auto kv = split_assignment(f, "--fault");
    if (!kv) return Unexpected<Error>{kv.error()};
    auto mode = parse_fault_mode(kv->second);
    if (!mode) return fail("--fault " + kv->first + ": " + mode.error().message);
    o.overrides.push_back({kv->first, *mode, std::nullopt, std::nullopt});
  }
  for (const auto& l : latencies) {
    auto kv = split_assignment(l, "--latency");
    if (!kv) return Unexpected<Error>{kv.error()};
    auto latency = parse_latency(kv->second);
    if (!latency) return fail("--latency " + kv->first + ": " + latency.error().message);
    o.overrides.push_back({kv->first, std::nullopt, *latency, std::nullopt});
  }
  for (const auto& e : error_rates) {
    auto kv = split_assignment(e, "--error-rate");
    if (!kv) return Unexpected<Error>{kv.error()};
    auto rate = parse_share(kv->second, "--error-rate " + kv->first);
    if (!rate) return Unexpected<Error>{rate.error()};
    o.overrides.push_back({kv->first, std::nullopt, std::nullopt, *rate});
  }
  return out;
}

}  // namespace bokade::sim
