#pragma once
// SOAP 1.1 faults: reading them, classifying the national platform's error codes, writing them.
//
// Classification (docs/rivta.md has the table):
// - VP001–VP015 (virtualiseringsplattformen) and EI000–EI006 (engagement index) are recognised in the
//   fault string (or the detail when the string has none), e.g. "VP007 Authorization missing for …".
// - retryable: VP008, VP009, VP012 and EI000 — plus, outside faults, HTTP 5xx and timeouts;
//   permanent: every other recognised code (VP002–VP007, VP010, VP013–VP015 as issue 3 lists; VP001,
//   VP011 and EI001–EI006 are configuration or validation errors that do not heal by retrying);
//   a fault without a recognised code is permanent for this refresh.
// - Outcome: VP004 → no_route, VP007 → not_authorized, VP009 mentioning a timeout → timeout,
//   everything else → soap_fault.

#include <string>
#include <string_view>

#include "bokade/core/outcome.hpp"
#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta {

enum class FaultSource : unsigned char {
  virtualization_platform,  // VPnnn
  engagement_index,         // EInnn
  other,                    // the producer or anything else
};

struct FaultClassification {
  std::string code;  // "VP007", "EI002" or empty when none was recognised
  FaultSource source = FaultSource::other;
  bool retryable = false;
  Outcome outcome = Outcome::soap_fault;

  friend bool operator==(const FaultClassification&, const FaultClassification&) = default;
};

FaultClassification classify_fault_text(std::string_view fault_text);

// Whether a transport-level HTTP status without a SOAP fault body is worth retrying (5xx).
constexpr bool is_retryable_http_status(int status) noexcept { return status >= 500 && status <= 599; }

struct Fault {
  std::string faultcode;    // as sent, e.g. "soap:Server" (SOAP 1.2: the Code/Value)
  std::string faultstring;  // personnummer-like digit runs are redacted on reading
  std::string faultactor;
  std::string detail;       // the text of the detail element, redacted likewise
  FaultClassification classification;

  friend bool operator==(const Fault&, const Fault&) = default;
};

// Reads a document whose payload is a SOAP fault (in an envelope or bare). A document that is no
// fault is a parse_error.
ReadResult<Fault> read_fault(std::string_view bytes, const ReaderLimits& limits = {});

// The ReadError a reader returns when it meets `fault` where it expected its payload.
ReadError to_read_error(const Fault& fault);

enum class FaultCode : unsigned char { client, server };

// A SOAP 1.1 envelope holding one Fault. The texts are escaped; control characters XML cannot carry
// are dropped.
std::string write_fault(FaultCode code, std::string_view faultstring, std::string_view detail = {});

// Masks what looks like a personnummer/samordningsnummer (12 digits, 10 digits with a valid Luhn
// check, YYMMDD-NNNN, YYYYMMDD-NNNN) with "[redacted]". Digit runs inside words (HSA-ids) are kept.
std::string redact_person_ids(std::string_view text);

}  // namespace bokade::rivta
