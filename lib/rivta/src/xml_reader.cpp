#include "xml_reader.hpp"

#include <cstring>

#include "bokade/rivta/namespaces.hpp"
#include "xml_text.hpp"

namespace bokade::rivta::detail {

namespace {

// pugixml never expands entities other than the five predefined ones and character references. The
// DOCTYPE is kept as a node (its text is not interpreted) only so that any document holding one is
// refused after parsing: no billion-laughs or external-entity document gets past this point, at no
// cost for the documents without. Whitespace-only text, comments and PIs are not kept.
constexpr unsigned parse_options = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_doctype;

bool holds_doctype(const pugi::xml_document& doc) noexcept {
  for (pugi::xml_node c = doc.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_doctype) return true;
  }
  return false;
}

// Whether any node lies deeper than max_depth (the root element is at depth 1; as pugixml keeps
// text as nodes, a text node counts one deeper than its element). pugixml's own traversal walks the
// tree without a library call per step, which a walk through the xml_node accessors would cost,
// and stops at the first node too deep.
class DepthCheck final : public pugi::xml_tree_walker {
 public:
  explicit DepthCheck(std::size_t max_depth) noexcept : max_depth_(max_depth) {}
  bool for_each(pugi::xml_node&) override {
    // depth() is 0 for the document's own children, i.e. this node's depth is depth() + 1. Nodes at
    // depth 1 are never refused, whatever max_depth says.
    const auto d = static_cast<std::size_t>(depth());
    return d == 0 || d < max_depth_;
  }

 private:
  std::size_t max_depth_;
};

bool too_deep(pugi::xml_document& doc, std::size_t max_depth) {
  DepthCheck check(max_depth);
  return !doc.traverse(check);
}

bool is_envelope_ns(std::string_view uri) noexcept {
  return uri == ns::soap11_envelope || uri == ns::soap12_envelope;
}

pugi::xml_node first_element_child(pugi::xml_node node) noexcept {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return c;
  }
  return {};
}

std::string_view prefix_of(std::string_view qname) noexcept {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// The URI `node` itself declares for `prefix`, if it does.
std::optional<std::string_view> declared_on(pugi::xml_node node, std::string_view prefix) noexcept {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view name = a.name();
    if (prefix.empty()) {
      if (name == "xmlns") return std::string_view{a.value()};
    } else if (name.size() == prefix.size() + 6 && name.starts_with("xmlns:") && name.substr(6) == prefix) {
      return std::string_view{a.value()};
    }
  }
  return std::nullopt;
}

}  // namespace

ReadResult<std::unique_ptr<ParsedMessage>> parse_message(std::string_view bytes, const ReaderLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return parse_failure("document of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                         std::to_string(limits.max_bytes));
  }
  auto message = std::make_unique<ParsedMessage>();
  const pugi::xml_parse_result parsed =
      message->doc.load_buffer(bytes.data(), bytes.size(), parse_options, pugi::encoding_auto);
  if (holds_doctype(message->doc)) return parse_failure("document holds a DTD (<!DOCTYPE), which is refused");
  if (!parsed) {
    return parse_failure(std::string("malformed XML: ") + parsed.description() + " at offset " +
                         std::to_string(parsed.offset));
  }
  if (too_deep(message->doc, limits.max_depth)) {
    return parse_failure("elements nested deeper than " + std::to_string(limits.max_depth));
  }
  const pugi::xml_node root = message->doc.document_element();
  if (!root) return parse_failure("document has no element");

  if (local_name(root) == "Envelope" && is_envelope_ns(namespace_of(root))) {
    pugi::xml_node body;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      if (name == "Header" && !message->header) message->header = c;
      else if (name == "Body" && !body) body = c;
    }
    if (!body) return parse_failure("SOAP envelope has no Body");
    message->payload = first_element_child(body);
    if (!message->payload) return parse_failure("SOAP Body is empty");
  } else {
    message->payload = root;
  }
  return message;
}

std::string_view local_name(pugi::xml_node node) noexcept {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_of(pugi::xml_node node) noexcept {
  const std::string_view prefix = prefix_of(node.name());
  for (pugi::xml_node cur = node; cur && cur.type() == pugi::node_element; cur = cur.parent()) {
    if (auto uri = declared_on(cur, prefix)) return *uri;
  }
  return {};
}

std::string_view NamespaceCache::of(pugi::xml_node node) noexcept {
  const std::string_view prefix = prefix_of(node.name());
  if (!node.first_attribute() && parent_ && node.parent() == parent_ && prefix == prefix_) return uri_;
  const std::string_view uri = namespace_of(node);
  if (!node.first_attribute()) {
    parent_ = node.parent();
    prefix_ = prefix;
    uri_ = uri;
  }
  return uri;
}

std::string_view text_view(pugi::xml_node node) noexcept {
  const pugi::xml_node first = node.first_child();
  if (!first) return {};
  if (!first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
    return trim(first.value());
  }
  return {};
}

std::string text_of(pugi::xml_node node) {
  const pugi::xml_node first = node.first_child();
  if (!first) return {};
  if (!first.next_sibling()) {
    if (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata) return std::string(trim(first.value()));
    return {};
  }
  std::string all;
  for (pugi::xml_node c = first; c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) all += c.value();
  }
  return std::string(trim(all));
}

std::string_view simple_text(pugi::xml_node node, std::string& scratch) {
  const pugi::xml_node first = node.first_child();
  if (!first) return {};
  // A single child is text, CDATA or an element (comments and PIs are not kept, a DOCTYPE only at the
  // top). An element's value() is "" as long as parse_embed_pcdata is not used: no type check needed.
  static_assert((parse_options & pugi::parse_embed_pcdata) == 0);
  if (!first.next_sibling()) return trim(first.value());
  scratch = text_of(node);
  return scratch;
}

bool is_fault(pugi::xml_node payload) noexcept {
  return local_name(payload) == "Fault" && is_envelope_ns(namespace_of(payload));
}

std::optional<ReadError> check_payload(const ParsedMessage& message, std::string_view name, std::string_view ns_uri) {
  if (is_fault(message.payload)) return to_read_error(fault_from_node(message.payload));
  const auto local = local_name(message.payload);
  if (local != name) {
    return ReadError{Outcome::parse_error, "expected " + std::string(name) + ", found " + std::string(local), {}, false};
  }
  const auto uri = namespace_of(message.payload);
  if (uri != ns_uri) {
    return ReadError{Outcome::parse_error,
                     std::string(name) + " in namespace '" + std::string(uri) + "', expected '" + std::string(ns_uri) + "'",
                     {}, false};
  }
  return std::nullopt;
}

pugi::xml_node find_header(const ParsedMessage& message, std::string_view name, std::string_view ns_uri) noexcept {
  pugi::xml_node by_name;
  for (pugi::xml_node c = message.header.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || local_name(c) != name) continue;
    if (namespace_of(c) == ns_uri) return c;
    if (!by_name) by_name = c;
  }
  return by_name;
}

}  // namespace bokade::rivta::detail
