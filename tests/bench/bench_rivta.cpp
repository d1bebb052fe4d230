// bench_rivta: how fast the rivta readers are, as a ratio of a bare pugixml parse of the same bytes
// measured in the same run (goal: ≥ 0.5). Prints figures; never fails.
//
//   bench_rivta [seconds-per-measurement, default 1] [only: a substring of the case names]

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/schedule.hpp"

using namespace bokade;
using namespace bokade::rivta;
using Clock = std::chrono::steady_clock;

namespace {

volatile std::size_t sink = 0;  // keeps the optimiser from dropping the work

// Messages per second of `work` over about `seconds`, best of three rounds.
double rate(const std::function<void()>& work, double seconds) {
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    std::size_t n = 0;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(seconds / 3);
    Clock::time_point now;
    do {
      for (int k = 0; k < 8; ++k) work();
      n += 8;
      now = Clock::now();
    } while (now < until);
    const double per_second = static_cast<double>(n) / std::chrono::duration<double>(now - start).count();
    if (per_second > best) best = per_second;
  }
  return best;
}

void bare_parse(const std::string& bytes) {
  pugi::xml_document doc;
  const auto result = doc.load_buffer(bytes.data(), bytes.size());  // pugixml's default options
  sink = sink + static_cast<std::size_t>(static_cast<bool>(result));
}

std::string only;  // run only the cases whose name holds this

void report(const char* name, const std::string& bytes, const std::function<void()>& reader, double seconds) {
  if (!only.empty() && std::string(name).find(only) == std::string::npos) return;
  const double bare = rate([&] { bare_parse(bytes); }, seconds);
  const double ours = rate(reader, seconds);
  const double mb = static_cast<double>(bytes.size()) / (1024.0 * 1024.0);
  std::printf("%-44s %9zu bytes  reader %9.0f msg/s %7.1f MB/s | bare pugixml %9.0f msg/s %7.1f MB/s | ratio %.2f\n",
              name, bytes.size(), ours, ours * mb, bare, bare * mb, ours / bare);
}

Appointment appointment(int i) {
  Appointment a;
  a.start = parse_rivta_time("20261122093000").value() + std::chrono::hours(24 * i);
  a.end = *a.start + std::chrono::minutes(30);
  a.healthcare_facility = "SE2321000016-A1B" + std::to_string(i % 10);
  a.healthcare_facility_name = "Vårdcentralen Åsa";
  a.performer = "SE2321000016-P" + std::to_string(i);
  a.performer_name = "Doktor Örn";
  a.booking_id = "4c7a1f0e-6b1d-4b53-9d0e-" + std::to_string(100000000000 + i);
  a.subject_of_care = "191212121212";
  a.purpose = "Återbesök";
  a.reason = "Uppföljning av behandling";
  a.resource_name = "Mottagning 3";
  a.resource_id = "R3";
  a.time_type_name = "Besök";
  a.time_type_id = "B1";
  a.care_type_name = "Primärvård";
  a.care_type_id = "PV";
  a.cancel_booking_allowed = true;
  a.rebooking_allowed = i % 2 == 0;
  a.is_invitation = i % 5 == 0;
  return a;
}

EngagementTransaction transaction(int i) {
  EngagementTransaction t;
  t.delete_flag = i % 10 == 0;
  auto& k = t.engagement.key;
  k.registered_resident_identification = std::to_string(191200000000 + i * 7);
  k.service_domain = "riv:crm:scheduling";
  k.categorization = "NA";
  k.logical_address = "SE2321000016-A1B" + std::to_string(i % 10);
  k.business_object_instance_identifier = "booking-" + std::to_string(i);
  k.clinical_process_interest_id = "NA";
  k.source_system = "SE2321000016-SYS";
  k.data_controller = "2321000016";
  k.owner = "SE2321000016-OWN";
  t.engagement.most_recent_content = parse_rivta_time("20261122093000").value();
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 1.0;
  if (argc > 2) only = argv[2];
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  std::printf("command: %s\n", command.c_str());
  std::printf("pugixml %d, bare parse = pugi::xml_document::load_buffer with parse_default; reader = parse + limits + "
              "DTD/depth checks + namespace checks + building the result\n\n",
              PUGIXML_VERSION);

  std::vector<Appointment> slots;
  for (int i = 0; i < 50; ++i) slots.push_back(appointment(i));
  const std::string schedule = write_schedule_response(slots).value();
  report("GetSubjectOfCareScheduleResponse, 50 slots", schedule, [&] {
    auto r = read_schedule_response(schedule);
    sink = sink + r->appointments.size();
  }, seconds);

  std::vector<EngagementTransaction> txs;
  for (int i = 0; i < 1000; ++i) txs.push_back(transaction(i));
  const std::string notification = write_process_notification("SE-BOKADE", txs).value();
  report("ProcessNotification, 1000 transactions", notification, [&] {
    auto r = read_process_notification(notification);
    sink = sink + r->transactions.size();
  }, seconds);

  std::ifstream in(std::string(BOKADE_SHARED_DIR) + "/rivta/itintegration/engagementindex/samples/vp-tests/ProcessNotificationLargePayload.xml",
                   std::ios::binary);
  if (in) {
    std::ostringstream s;
    s << in.rdbuf();
    const std::string real = s.str();
    report("ProcessNotificationLargePayload.xml (1001)", real, [&] {
      auto r = read_process_notification(real);
      sink = sink + r->transactions.size();
    }, seconds);
  }
  return 0;
}
