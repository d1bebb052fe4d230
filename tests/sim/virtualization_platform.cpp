#include "virtualization_platform.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bokade/rivta/engagement_index.hpp"
#include "bokade/rivta/fault.hpp"
#include "engagement_index.hpp"

namespace bokade::sim {
namespace asio = boost::asio;

namespace {

constexpr std::string_view consumer_header = "x-rivta-original-serviceconsumer-hsaid";

// The platform's texts (as in ../shared/rivta/agp/processingstatus_with_failures.xml, spelling kept).
std::string vp004(std::string_view contract, std::string_view receiver) {
  return "VP004 No Logical Adress found for serviceNamespace:" + std::string(contract) + ", receiverId:" + std::string(receiver);
}
std::string vp007(std::string_view contract, std::string_view receiver, std::string_view sender) {
  return "VP007 Authorization missing for serviceNamespace: " + std::string(contract) + ", receiverId: " +
         std::string(receiver) + ", senderId: " + std::string(sender);
}
std::string vp009(std::string_view url, std::string_view cause) {
  return "VP009 Error connecting to service producer at address " + std::string(url) + ". " + std::string(cause);
}

asio::awaitable<void> sleep_for(Micros d) {
  if (d.count() <= 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

net::HttpResponse soap_response(unsigned status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.content_type = "text/xml; charset=UTF-8";
  r.body = std::move(body);
  return r;
}

net::HttpResponse soap_fault_response(std::string_view text, bool client_fault) {
  return soap_response(500, rivta::write_fault(client_fault ? rivta::FaultCode::client : rivta::FaultCode::server, text));
}

VirtualizationPlatform::VirtualizationPlatform(const Ledger& ledger, Producers& producers, const Tak& tak,
                                               CallCounters& counters, VpSettings settings)
    : ledger_(ledger), producers_(producers), tak_(tak), counters_(counters), settings_(std::move(settings)) {}

asio::awaitable<net::HttpResponse> VirtualizationPlatform::handle(const net::HttpRequest& request) {
  const std::string consumer(request.header(consumer_header).value_or(settings_.default_consumer));
  const std::string_view payload = soap_payload_name(request.body);
  if (payload == "GetSubjectOfCareSchedule") co_return co_await schedule(request, consumer);
  if (payload == "FindContent") co_return find_content(request, consumer, true);
  co_return soap_fault_response("VP002 No service contract (namespace) could be extracted from the message"
                                " or the service is not offered by this platform",
                                true);
}

asio::awaitable<net::HttpResponse> VirtualizationPlatform::handle_find_content_direct(const net::HttpRequest& request) {
  co_return find_content(request, settings_.default_consumer, false);
}

asio::awaitable<net::HttpResponse> VirtualizationPlatform::schedule(const net::HttpRequest& request,
                                                                    std::string_view consumer) {
  auto parsed = rivta::read_schedule_request(request.body);
  if (!parsed) co_return soap_fault_response("Invalid GetSubjectOfCareSchedule request: " + parsed.error().reason, true);
  const std::string& la = parsed->logical_address;
  if (la.empty()) co_return soap_fault_response("VP003 No receiverId (logical address) found in message header", true);
  counters_.vp_call(la);
  // The platform forwards the Actor header; a consumer asking for a citizen names them as subject_of_care.
  if (!parsed->actor || parsed->actor->actor_type != "subject_of_care" ||
      parsed->actor->actor_id != parsed->subject_of_care) {
    counters_.without_actor(la);
  }
  const World& world = ledger_.world();
  const auto clinic = world.find_clinic(la);
  if (!clinic) {
    counters_.denied(la);
    co_return soap_fault_response(vp004(schedule_contract, la));
  }
  if (!tak_.may_call_schedule(consumer, *clinic)) {
    counters_.denied(la);
    co_return soap_fault_response(vp007(schedule_contract, la, consumer));
  }
  const std::size_t system = world.clinics()[*clinic].system;
  const std::string url = system < producer_urls_.size() ? producer_urls_[system] : world.systems()[system].id;
  ProducerReply reply = producers_.answer(system, *parsed);
  const Micros timeout = settings_.producer_timeout;
  switch (reply.mode) {
    case FaultMode::refused:
      co_return soap_fault_response(vp009(url, "java.net.ConnectException: Connection refused"));
    case FaultMode::timeout:
      co_await sleep_for(timeout);
      co_return soap_fault_response(vp009(url, "java.net.SocketTimeoutException: Read timed out (Timeout after " +
                                                   format_duration(timeout) + ")"));
    default:
      break;
  }
  Micros delay = reply.delay;
  if (reply.mode == FaultMode::drip) {
    // VP reads the whole answer before it relays it: a drip is a long wait.
    const auto& s = producers_.settings();
    delay += s.drip_interval * static_cast<std::int64_t>((reply.body.size() + 200) / std::max<std::size_t>(1, s.drip_chunk));
  }
  if (delay >= timeout) {
    co_await sleep_for(timeout);
    co_return soap_fault_response(vp009(url, "java.net.SocketTimeoutException: Read timed out (Timeout after " +
                                                 format_duration(timeout) + ")"));
  }
  co_await sleep_for(delay);
  if (reply.mode == FaultMode::reset) {
    co_return soap_fault_response(vp009(url, "java.net.SocketException: Connection reset"));
  }
  // Everything else (SOAP faults, malformed and oversized bodies) VP relays as it came.
  co_return soap_response(reply.status, std::move(reply.body));
}

net::HttpResponse VirtualizationPlatform::find_content(const net::HttpRequest& request, std::string_view consumer,
                                                       bool check_tak) {
  auto parsed = rivta::read_find_content_request(request.body);
  if (!parsed) return soap_fault_response("Invalid FindContent request: " + parsed.error().reason, true);
  const std::string& la = parsed->logical_address;
  if (check_tak) {
    if (la.empty()) return soap_fault_response("VP003 No receiverId (logical address) found in message header", true);
    if (upper(la) != upper(tak_.ei_logical_address())) {
      counters_.denied(la);
      return soap_fault_response(vp004(find_content_contract, la));
    }
    if (!tak_.may_call_find_content(consumer)) {
      counters_.denied(la);
      return soap_fault_response(vp007(find_content_contract, la, consumer));
    }
  }
  counters_.find_content();
  if (parsed->registered_resident_identification.empty() || parsed->service_domain.empty()) {
    return soap_fault_response("EI002 registeredResidentIdentification and serviceDomain are mandatory", true);
  }
  const auto engagements = sim::find_content(ledger_, *parsed);
  auto body = rivta::write_find_content_response(engagements);
  if (!body) return soap_fault_response("EI000 " + body.error().message);
  return soap_response(200, std::move(*body));
}

}  // namespace bokade::sim
