#pragma once
// The shared reading machinery (internal; pugixml stays out of the public headers).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "bokade/core/source_status.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta::detail {

struct ParsedMessage {
  pugi::xml_document doc;
  pugi::xml_node header;   // the SOAP Header, empty when absent or when the document is bare
  pugi::xml_node payload;  // the first element in the Body, or the root element of a bare document
};

// Refuses documents over limits.max_bytes (before parsing), holding a DTD, malformed, or nested
// deeper than limits.max_depth. Accepts a SOAP 1.1/1.2 Envelope or a bare payload element.
ReadResult<std::unique_ptr<ParsedMessage>> parse_message(std::string_view bytes, const ReaderLimits& limits);

std::string_view local_name(pugi::xml_node node) noexcept;
// The namespace URI bound to the element's prefix (or the default namespace), looked up through its
// ancestors' xmlns declarations; empty when none is bound.
std::string_view namespace_of(pugi::xml_node node) noexcept;

// Trimmed text content of a simple element (all its text/CDATA children).
std::string text_of(pugi::xml_node node);
// As text_of, without copying when the element holds a single text node.
std::string_view text_view(pugi::xml_node node) noexcept;
// text_of without a copy in the usual case (one text node): the view is into the document, or into
// `scratch` when the text had to be joined from several nodes.
std::string_view simple_text(pugi::xml_node node, std::string& scratch);

bool is_fault(pugi::xml_node payload) noexcept;
Fault fault_from_node(pugi::xml_node fault);  // implemented in fault.cpp
// The records of a ProcessingStatus element; implemented in processing_status.cpp.
std::vector<SourceStatus> processing_status_from_node(pugi::xml_node status);

// Checks that the payload is `name` in namespace `ns`. A SOAP fault is returned as its ReadError.
std::optional<ReadError> check_payload(const ParsedMessage& message, std::string_view name, std::string_view ns);

// The first header element with this local name, preferring one in namespace `ns`.
pugi::xml_node find_header(const ParsedMessage& message, std::string_view name, std::string_view ns) noexcept;

// Resolves element namespaces while walking the children of one element: consecutive siblings with
// the same prefix and no declarations of their own share the lookup.
class NamespaceCache {
 public:
  std::string_view of(pugi::xml_node node) noexcept;

 private:
  std::string_view prefix_;
  std::string_view uri_;
  pugi::xml_node parent_;
};

}  // namespace bokade::rivta::detail
