#pragma once
// What every reader shares: the limits it enforces before and while parsing, and the error it
// returns. Readers accept a SOAP 1.1 envelope (SOAP 1.2 leniently) or a bare payload element, match
// local names, check the namespace of the payload element, refuse any document with a DTD
// (no entity is ever expanded) and never put element text in an error, so no personnummer leaks.

#include <cstddef>
#include <optional>
#include <string>

#include "bokade/core/expected.hpp"
#include "bokade/core/outcome.hpp"

namespace bokade::rivta {

struct ReaderLimits {
  std::size_t max_bytes = 16u * 1024u * 1024u;  // larger bodies are refused before parsing
  std::size_t max_depth = 64;                   // element nesting; real RIVTA messages use < 10
  std::size_t max_transactions = 5000;          // ProcessNotification; the contract says 1000, real EI sends 1001
};

// Why a message could not be used. `outcome` is parse_error for unreadable documents, or what the
// SOAP fault in the body means (soap_fault, no_route, not_authorized, timeout).
struct ReadError {
  Outcome outcome = Outcome::parse_error;
  std::string reason;            // short, for logs and ProcessingStatus texts; never holds a personnummer
  std::string fault_code;        // "VP007", "EI002", … when a fault carried one
  bool retryable = false;        // whether the same call may succeed if tried again soon

  friend bool operator==(const ReadError&, const ReadError&) = default;
};

template <class T>
using ReadResult = Expected<T, ReadError>;

inline Unexpected<ReadError> parse_failure(std::string reason) {
  return {ReadError{Outcome::parse_error, std::move(reason), {}, false}};
}

// A RIVTA actor header (urn:riv:interoperability:headers:1 Actor).
struct Actor {
  std::string actor_id;
  std::string actor_type;  // "subject_of_care" or "subject_of_care_agent"

  friend bool operator==(const Actor&, const Actor&) = default;
};

// Which header carried the logical address of a request.
enum class AddressingStyle : unsigned char {
  logical_address,  // RIVTA 2.1: itr:LogicalAddress
  wsa_to,           // RIVTA 2.0: wsa:To
  none,
};

}  // namespace bokade::rivta
