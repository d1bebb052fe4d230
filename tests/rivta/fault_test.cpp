// SOAP faults: classification of VP and EI codes, reading, writing, redaction.

#include <doctest/doctest.h>

#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/processing_status.hpp"
#include "test_support.hpp"

using namespace bokade;
using namespace bokade::rivta;

TEST_CASE("the VP fault texts of the real ProcessingStatus sample are classified") {
  const auto records = read_processing_status(rivta::test::read_shared("agp/processingstatus_with_failures.xml"));
  REQUIRE(records);
  REQUIRE(records->size() == 3);
  const auto vp007 = classify_fault_text((*records)[0].error_text);
  CHECK(vp007.code == "VP007");
  CHECK(vp007.source == FaultSource::virtualization_platform);
  CHECK(vp007.outcome == Outcome::not_authorized);
  CHECK_FALSE(vp007.retryable);
  const auto vp004 = classify_fault_text((*records)[1].error_text);
  CHECK(vp004.code == "VP004");
  CHECK(vp004.outcome == Outcome::no_route);
  CHECK_FALSE(vp004.retryable);
  const auto vp006 = classify_fault_text((*records)[2].error_text);
  CHECK(vp006.code == "VP006");
  CHECK(vp006.outcome == Outcome::soap_fault);
  CHECK_FALSE(vp006.retryable);
}

TEST_CASE("retryable and permanent VP and EI codes") {
  for (int n = 1; n <= 15; ++n) {
    const std::string code = (n < 10 ? "VP00" : "VP0") + std::to_string(n);
    const auto c = classify_fault_text(code + " something failed");
    CAPTURE(code);
    CHECK(c.code == code);
    CHECK(c.retryable == (n == 8 || n == 9 || n == 12));
  }
  for (int n = 0; n <= 6; ++n) {
    const std::string code = "EI00" + std::to_string(n);
    const auto c = classify_fault_text(code + ": validation failed");
    CAPTURE(code);
    CHECK(c.code == code);
    CHECK(c.source == FaultSource::engagement_index);
    CHECK(c.retryable == (n == 0));
    CHECK(c.outcome == Outcome::soap_fault);
  }
  CHECK(classify_fault_text("VP009 Read timed out calling producer").outcome == Outcome::timeout);
  CHECK(classify_fault_text("VP009 Error connecting to service producer").outcome == Outcome::soap_fault);
  CHECK(classify_fault_text("VP016 unknown").code.empty());
  CHECK(classify_fault_text("XVP007 not a code").code.empty());
  CHECK(classify_fault_text("VP0071 not a code").code.empty());
  CHECK(classify_fault_text("EI007 out of range").code.empty());
  CHECK(classify_fault_text("Caused by: VP004 No Logical Adress found").code == "VP004");
  const auto plain = classify_fault_text("NullPointerException in producer");
  CHECK(plain.code.empty());
  CHECK(plain.source == FaultSource::other);
  CHECK_FALSE(plain.retryable);
  CHECK(is_retryable_http_status(503));
  CHECK_FALSE(is_retryable_http_status(404));
}

TEST_CASE("AGP's bare soap:Fault sample") {
  const auto f = read_fault(rivta::test::read_shared("agp/scheduling/process-notification/fault-response-expected-result.xml"));
  REQUIRE(f);
  CHECK(f->faultcode == "soap:Server");
  CHECK(f->faultstring == "Some error message");
  CHECK(f->classification.code.empty());
  CHECK(f->classification.outcome == Outcome::soap_fault);
}

TEST_CASE("fault round trip, with detail") {
  const auto xml = write_fault(FaultCode::client, "EI002: Invalid routing & <stuff>", "more detail");
  const auto f = read_fault(xml);
  REQUIRE(f);
  CHECK(f->faultcode == "soapenv:Client");
  CHECK(f->faultstring == "EI002: Invalid routing & <stuff>");
  CHECK(f->detail == "more detail");
  CHECK(f->classification.code == "EI002");
  const auto e = to_read_error(*f);
  CHECK(e.fault_code == "EI002");
  CHECK(e.outcome == Outcome::soap_fault);
}

TEST_CASE("a code only in the detail is still recognised; SOAP 1.2 faults are read") {
  const std::string soap11 = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
    <faultcode>s:Server</faultcode><faultstring>Routing failed</faultstring>
    <detail><x:info xmlns:x="urn:x"><x:code>VP012</x:code></x:info></detail></s:Fault></s:Body></s:Envelope>)";
  auto f = read_fault(soap11);
  REQUIRE(f);
  CHECK(f->classification.code == "VP012");
  CHECK(f->classification.retryable);

  const std::string soap12 = R"(<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>
    <e:Code><e:Value>e:Receiver</e:Value></e:Code><e:Reason><e:Text xml:lang="en">VP008 No contact with TAK</e:Text></e:Reason>
    </e:Fault></e:Body></e:Envelope>)";
  f = read_fault(soap12);
  REQUIRE(f);
  CHECK(f->faultcode == "e:Receiver");
  CHECK(f->classification.code == "VP008");
  CHECK(f->classification.retryable);
}

TEST_CASE("a personnummer in a producer's fault never reaches the error text") {
  const auto xml = write_fault(FaultCode::server,
                               "No patient 191212121212 (also 19121212-1212, 121212-1212, 1212121212, 19121212T123) at "
                               "SE2321000016-A291, order 12345");
  const auto f = read_fault(xml);
  REQUIRE(f);
  CHECK(f->faultstring ==
        "No patient [redacted] (also [redacted], [redacted], [redacted], [redacted]) at SE2321000016-A291, order 12345");
  CHECK(to_read_error(*f).reason.find("1212") == std::string::npos);
}

TEST_CASE("a document that is no fault is refused by read_fault") {
  const auto f = read_fault(rivta::test::read_shared("itintegration/engagementindex/samples/ei-tests/FindContent.xml"));
  REQUIRE_FALSE(f);
  CHECK(f.error().outcome == Outcome::parse_error);
}
