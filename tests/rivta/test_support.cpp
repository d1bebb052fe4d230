#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace bokade::rivta::test {

namespace fs = std::filesystem;

fs::path shared_rivta() { return fs::path(BOKADE_SHARED_DIR) / "rivta"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_shared(std::string_view relative) { return read_file(shared_rivta() / relative); }

void write_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}


UtcTime rivta_time(std::string_view fourteen_digits) {
  auto t = parse_rivta_time(fourteen_digits);
  if (!t) throw std::runtime_error("bad time in test");
  return *t;
}

Appointment sample_appointment(int i) {
  Appointment a;
  a.start = rivta_time("20261122093000") + std::chrono::hours(24 * i);
  a.end = *a.start + std::chrono::minutes(30);
  a.healthcare_facility = "SE2321000016-A1B" + std::to_string(i % 10);
  a.healthcare_facility_name = "Vårdcentralen Åsa & Öby <Dr. Ärlig>";
  a.performer = "SE2321000016-P" + std::to_string(i);
  a.performer_name = "Doktor \"Örn\" O'Neill";
  a.booking_id = "booking-" + std::to_string(1000 + i);
  a.subject_of_care = "191212121212";
  a.purpose = "Återbesök";
  a.reason = "Ont i ryggen sedan > 2 veckor";
  a.resource_name = "Mottagning 3";
  a.resource_id = "R3";
  a.time_type_name = "Besök";
  a.time_type_id = "B1";
  a.care_type_name = "Primärvård";
  a.care_type_id = "PV";
  a.cancel_booking_allowed = i % 2 == 0;
  a.rebooking_allowed = i % 3 == 0;
  a.message_allowed = i % 5 == 0;
  a.is_invitation = i % 4 == 1;
  return a;
}

Engagement sample_engagement(int i) {
  Engagement e;
  e.key.registered_resident_identification = "191212121212";
  e.key.service_domain = "riv:crm:scheduling";
  e.key.categorization = "NA";
  e.key.logical_address = "SE2321000016-A1B" + std::to_string(i % 10);
  e.key.business_object_instance_identifier = "booking-" + std::to_string(1000 + i);
  e.key.clinical_process_interest_id = "NA";
  e.key.source_system = "SE2321000016-SYS";
  e.key.data_controller = "2321000016";
  e.key.owner = i % 2 == 0 ? "SE2321000016-OWN" : "";
  e.most_recent_content = rivta_time("20261122093000");
  if (i % 3 == 0) {
    e.creation_time = rivta_time("20260101120000");
    e.update_time = rivta_time("20260102120000");
  }
  return e;
}

std::vector<SourceStatus> sample_statuses() {
  std::vector<SourceStatus> v(4);
  v[0].logical_address = "SE2321000164-101B";
  v[0].code = ProcessingStatusCode::DataFromSource;
  v[0].last_success = rivta_time("20261122093000");
  v[1].logical_address = "SE2321000164-1004";
  v[1].code = ProcessingStatusCode::DataFromCache;
  v[1].last_success = rivta_time("20261122080000");
  v[2].logical_address = "HSATEST2-CRS";
  v[2].code = ProcessingStatusCode::DataFromCacheSynchFailed;
  v[2].last_success = rivta_time("20261121080000");
  v[2].last_failure = rivta_time("20261122093000");
  v[2].last_outcome = Outcome::soap_fault;
  v[2].error_code = "VP009";
  v[2].error_text = "VP009 Error connecting to service producer <timeout>";
  v[2].causing_agent = "virtualization_platform";
  v[3].logical_address = "TEST-HSAID-99";
  v[3].code = ProcessingStatusCode::NoDataSynchFailed;
  v[3].last_failure = rivta_time("20261122093000");
  v[3].last_outcome = Outcome::timeout;
  v[3].causing_agent = "producer";
  v[3].error_text = "no answer within 5 s";
  return v;
}

}  // namespace bokade::rivta::test
