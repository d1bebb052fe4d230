#include "producer.hpp"

#include "agp_fixture.hpp"
#include "bokade/rivta/fault.hpp"

namespace bokade::sim {

CallCounters::CallCounters(const World& world) : world_(world) {
  for (std::size_t i = 0; i < world.clinics().size(); ++i) clinics_.push_back(std::make_unique<Counts>());
}

CallCounters::Counts* CallCounters::slot(std::string_view logical_address) {
  if (const auto c = world_.find_clinic(logical_address)) return clinics_[*c].get();
  std::lock_guard lock(other_mutex_);
  // Unknown addresses are counted one by one up to a bound, so a flood of made-up ones cannot grow
  // memory without end; beyond it they share one entry.
  constexpr std::size_t max_other = 10'000;
  const std::string key = other_.size() < max_other || other_.contains(std::string(logical_address))
                              ? std::string(logical_address)
                              : std::string("(other)");
  auto& p = other_[key];
  if (!p) p = std::make_unique<Counts>();
  return p.get();  // stable: entries are never erased while running (reset zeroes them)
}

void CallCounters::vp_call(std::string_view logical_address) { slot(logical_address)->vp.fetch_add(1, std::memory_order_relaxed); }
void CallCounters::producer_call(std::size_t clinic) { clinics_[clinic]->producer.fetch_add(1, std::memory_order_relaxed); }
void CallCounters::denied(std::string_view logical_address) { slot(logical_address)->denied.fetch_add(1, std::memory_order_relaxed); }
void CallCounters::without_actor(std::string_view logical_address) {
  slot(logical_address)->without_actor.fetch_add(1, std::memory_order_relaxed);
}

std::map<std::string, AddressCalls> CallCounters::snapshot() const {
  std::map<std::string, AddressCalls> out;
  auto put = [&](const std::string& la, const Counts& c) {
    AddressCalls a{c.vp.load(), c.producer.load(), c.denied.load(), c.without_actor.load()};
    if (a.vp + a.producer + a.denied > 0) out[la] = a;
  };
  for (std::size_t i = 0; i < clinics_.size(); ++i) put(world_.clinics()[i].hsa_id, *clinics_[i]);
  std::lock_guard lock(other_mutex_);
  for (const auto& [la, c] : other_) put(la, *c);
  return out;
}

AddressCalls CallCounters::of(std::string_view logical_address) const {
  const Counts* c = nullptr;
  if (const auto i = world_.find_clinic(logical_address)) {
    c = clinics_[*i].get();
  } else {
    std::lock_guard lock(other_mutex_);
    const auto it = other_.find(std::string(logical_address));
    if (it == other_.end()) return {};
    c = it->second.get();
  }
  return {c->vp.load(), c->producer.load(), c->denied.load(), c->without_actor.load()};
}

void CallCounters::reset() {
  auto zero = [](Counts& c) {
    c.vp = 0;
    c.producer = 0;
    c.denied = 0;
    c.without_actor = 0;
  };
  for (auto& c : clinics_) zero(*c);
  std::lock_guard lock(other_mutex_);
  for (auto& [la, c] : other_) zero(*c);
  find_content_ = 0;
}

Producers::Producers(const Ledger& ledger, Behaviours& behaviours, CallCounters& counters, ProducerSettings settings)
    : ledger_(ledger), behaviours_(behaviours), counters_(counters), settings_(settings) {}

ProducerReply Producers::unreadable(std::string_view reason) {
  ProducerReply r;
  r.status = 500;
  r.body = rivta::write_fault(rivta::FaultCode::client, "Invalid GetSubjectOfCareSchedule request: " + std::string(reason));
  return r;
}

ProducerReply Producers::answer(std::size_t system, const rivta::ScheduleRequest& request) {
  const World& world = ledger_.world();
  const auto& sys = world.systems()[system];
  ProducerReply r;
  const std::string_view la = request.logical_address.empty() ? std::string_view(request.healthcare_facility)
                                                              : std::string_view(request.logical_address);
  const auto clinic = world.find_clinic(la);
  if (!clinic || world.clinics()[*clinic].system != system) {
    r.status = 500;
    r.body = rivta::write_fault(rivta::FaultCode::client,
                                sys.product + ": unknown healthcare facility " + std::string(la) + " in this system");
    return r;
  }
  r.clinic = *clinic;
  r.known_clinic = true;
  const CallDecision decision = behaviours_.decide(system);
  if (decision.mode != FaultMode::refused) counters_.producer_call(*clinic);  // a refused call never arrives
  r.mode = decision.mode;
  r.delay = decision.delay;
  switch (decision.mode) {
    case FaultMode::timeout:
    case FaultMode::refused:
      return r;
    case FaultMode::http500:
      r.status = 500;
      r.body = rivta::write_fault(rivta::FaultCode::server,
                                  sys.product + ": internal error while reading the schedule (simulated fault)");
      return r;
    default:
      break;
  }
  // The AGP test systems answer some persons in their own way (agp_fixture.hpp), on top of which the
  // system's own behaviour still applies, as for any answer.
  const agp::ProducerAnswer special = world.is_agp_clinic(*clinic)
                                          ? agp::producer_answer(world.clinics()[*clinic].hsa_id, request.subject_of_care)
                                          : agp::ProducerAnswer::bookings;
  if (special == agp::ProducerAnswer::no_answer) {
    r.mode = FaultMode::timeout;
    return r;
  }
  if (special == agp::ProducerAnswer::soap_fault) {
    r.status = 500;
    r.body = rivta::write_fault(rivta::FaultCode::server,
                                sys.product + " " + sys.id +
                                    ": java.lang.RuntimeException: exception in the producer (AGP test case TC5)");
  } else {
    std::vector<Appointment> appointments;
    const auto person = ledger_.find(request.subject_of_care);
    if (person && special == agp::ProducerAnswer::bookings) {
      appointments = ledger_.schedule(ledger_.person(*person), *clinic);
    }
    auto body = rivta::write_schedule_response(appointments);
    if (!body) {
      r.status = 500;
      r.body = rivta::write_fault(rivta::FaultCode::server, sys.product + ": " + body.error().message);
      r.mode = FaultMode::http500;
      return r;
    }
    r.body = std::move(*body);
  }
  if (decision.mode == FaultMode::malformed) r.body = break_xml(r.body);
  if (decision.mode == FaultMode::oversized) r.body = oversize_xml(r.body, settings_.oversized_bytes);
  return r;
}

std::string_view soap_payload_name(std::string_view xml) {
  // Find the Body start tag (any prefix), then the first element start tag after it.
  std::size_t pos = 0;
  for (;;) {
    pos = xml.find("Body", pos);
    if (pos == std::string_view::npos) return {};
    const char before = pos > 0 ? xml[pos - 1] : ' ';
    const char after = pos + 4 < xml.size() ? xml[pos + 4] : ' ';
    if ((before == '<' || before == ':') && (after == '>' || after == ' ' || after == '\t' || after == '\n' || after == '\r')) {
      const auto lt = xml.rfind('<', pos);
      if (lt != std::string_view::npos && (lt + 1 >= xml.size() || xml[lt + 1] != '/')) break;
    }
    pos += 4;
  }
  pos = xml.find('>', pos);
  while (pos != std::string_view::npos) {
    pos = xml.find('<', pos);
    if (pos == std::string_view::npos || pos + 1 >= xml.size()) return {};
    if (xml[pos + 1] == '!' || xml[pos + 1] == '?') {
      pos = xml.find('>', pos);
      continue;
    }
    if (xml[pos + 1] == '/') return {};
    std::size_t end = pos + 1;
    while (end < xml.size() && xml[end] != '>' && xml[end] != ' ' && xml[end] != '/' && xml[end] != '\n' &&
           xml[end] != '\t' && xml[end] != '\r') {
      ++end;
    }
    std::string_view name = xml.substr(pos + 1, end - pos - 1);
    if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    return name;
  }
  return {};
}

std::string break_xml(std::string_view xml) {
  // Cut inside the body and leave an unclosed element with a stray ampersand: no parser accepts it.
  std::string out(xml.substr(0, xml.size() * 2 / 3));
  out += "<timeslotDetail><bookingId>&broken";
  return out;
}

std::string oversize_xml(std::string_view xml, std::size_t bytes) {
  std::string out;
  out.reserve(bytes + xml.size() + 16);
  const auto decl_end = xml.starts_with("<?xml") ? xml.find("?>") + 2 : 0;
  out.append(xml.substr(0, decl_end));
  out += "<!--";
  out.append(bytes > xml.size() ? bytes - xml.size() : 0, ' ');
  out += "-->";
  out.append(xml.substr(decl_end));
  return out;
}

}  // namespace bokade::sim
