#pragma once
// The booking systems' side of GetSubjectOfCareSchedule: given a request to one system, what it
// answers (or how it fails), plus the call counters per logical address that tests read to prove
// an address was, or was not, called.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/rivta/schedule.hpp"
#include "faults.hpp"
#include "ledger.hpp"

namespace bokade::sim {

struct AddressCalls {
  std::uint64_t vp = 0;        // GetSubjectOfCareSchedule calls VP received for the address
  std::uint64_t producer = 0;  // calls that reached the booking system (through VP or directly)
  std::uint64_t denied = 0;    // VP004 / VP007 answers
  std::uint64_t without_actor = 0;  // VP calls whose Actor header did not name the subject of care as such
};

class CallCounters {
 public:
  explicit CallCounters(const World& world);
  void vp_call(std::string_view logical_address);
  void producer_call(std::size_t clinic);
  void denied(std::string_view logical_address);
  void without_actor(std::string_view logical_address);
  void find_content() { find_content_.fetch_add(1, std::memory_order_relaxed); }
  // Addresses with at least one call.
  [[nodiscard]] std::map<std::string, AddressCalls> snapshot() const;
  [[nodiscard]] AddressCalls of(std::string_view logical_address) const;
  [[nodiscard]] std::uint64_t find_content_calls() const { return find_content_.load(); }
  void reset();

 private:
  struct Counts {
    std::atomic<std::uint64_t> vp{0}, producer{0}, denied{0}, without_actor{0};
  };
  Counts* slot(std::string_view logical_address);
  const World& world_;
  std::vector<std::unique_ptr<Counts>> clinics_;
  mutable std::mutex other_mutex_;
  std::map<std::string, std::unique_ptr<Counts>> other_;  // addresses that are no clinic
  std::atomic<std::uint64_t> find_content_{0};
};

struct ProducerSettings {
  std::size_t oversized_bytes = 24u << 20;
  Micros drip_interval{100'000};
  std::size_t drip_chunk = 16;
};

// A booking system's answer. `mode` says how the transport must misbehave (timeout, refused, reset,
// drip); for the others the body is already what goes on the wire.
struct ProducerReply {
  unsigned status = 200;
  std::string body;
  FaultMode mode = FaultMode::none;
  Micros delay{0};
  std::size_t clinic = 0;  // the addressed clinic, when known
  bool known_clinic = false;
};

class Producers {
 public:
  Producers(const Ledger& ledger, Behaviours& behaviours, CallCounters& counters, ProducerSettings settings);
  // Booking system `system` answers a GetSubjectOfCareSchedule request (already read by the caller).
  ProducerReply answer(std::size_t system, const rivta::ScheduleRequest& request);
  // A request that could not be read: the SOAP fault a producer sends back.
  static ProducerReply unreadable(std::string_view reason);
  [[nodiscard]] const ProducerSettings& settings() const noexcept { return settings_; }
  [[nodiscard]] Behaviours& behaviours() noexcept { return behaviours_; }

 private:
  const Ledger& ledger_;
  Behaviours& behaviours_;
  CallCounters& counters_;
  ProducerSettings settings_;
};

// Helpers shared by the VP and the producers.
// The local name of the first element inside the SOAP Body ("GetSubjectOfCareSchedule", …), or empty.
std::string_view soap_payload_name(std::string_view xml);
// Makes an XML document not well-formed the way a broken producer does: cut short mid-element.
std::string break_xml(std::string_view xml);
// Pads a document with an XML comment until it is at least `bytes` long.
std::string oversize_xml(std::string_view xml, std::size_t bytes);

}  // namespace bokade::sim
