#pragma once
// The simulated virtualisation platform (VP): one endpoint for every service. It reads the SOAP
// body's first element to pick the service, routes GetSubjectOfCareSchedule by the LogicalAddress
// header to the booking system that serves it and FindContent to the engagement index, checks the
// caller in TAK, and answers the platform's faults (VP002, VP003, VP004, VP007, VP009) with its texts.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "bokade/net/http_types.hpp"
#include "producer.hpp"
#include "tak.hpp"

namespace bokade::sim {

struct VpSettings {
  std::string default_consumer = "SE5565594230-BOKADE";  // caller when no x-rivta-original-serviceconsumer-hsaid
  Micros producer_timeout{5'000'000};
};

class VirtualizationPlatform {
 public:
  VirtualizationPlatform(const Ledger& ledger, Producers& producers, const Tak& tak, CallCounters& counters,
                         VpSettings settings);
  // Producer URLs for the VP009 texts (set once the listeners are bound).
  void set_producer_urls(std::vector<std::string> urls) { producer_urls_ = std::move(urls); }

  // POST /vp/…: any service, routed.
  boost::asio::awaitable<net::HttpResponse> handle(const net::HttpRequest& request);
  // POST /ei/…: the engagement index's own FindContent endpoint (what TAK's vägval points at).
  boost::asio::awaitable<net::HttpResponse> handle_find_content_direct(const net::HttpRequest& request);

 private:
  boost::asio::awaitable<net::HttpResponse> schedule(const net::HttpRequest& request, std::string_view consumer);
  net::HttpResponse find_content(const net::HttpRequest& request, std::string_view consumer, bool check_tak);

  const Ledger& ledger_;
  Producers& producers_;
  const Tak& tak_;
  CallCounters& counters_;
  VpSettings settings_;
  std::vector<std::string> producer_urls_;
};

// The SOAP fault response (HTTP 500) with the given text.
net::HttpResponse soap_fault_response(std::string_view text, bool client_fault = false);
net::HttpResponse soap_response(unsigned status, std::string body);

}  // namespace bokade::sim
