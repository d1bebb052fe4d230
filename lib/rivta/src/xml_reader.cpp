#include "xml_reader.hpp"

#include <cstring>

#include "bokade/rivta/namespaces.hpp"
#include "xml_text.hpp"

namespace bokade::rivta::detail {

namespace {

// pugixml never expands entities other than the five predefined ones and character references. The
// DOCTYPE is kept as a node (its text is not interpreted) only so that any document holding one is
// refused after parsing: no billion-laughs or external-entity document gets past this point, at no
// cost for the documents without. Whitespace-only text, comments and PIs are not kept. Text that
// starts an element is kept as the element's value (parse_embed_pcdata; see xml_reader.hpp).
constexpr unsigned parse_options =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol | pugi::parse_doctype | pugi::parse_embed_pcdata;

bool holds_doctype(const pugi::xml_document& doc) noexcept {
  for (pugi::xml_node c = doc.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_doctype) return true;
  }
  return false;
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

// See ChildWalk: the reference operator* returns follows the iterator through ++, text nodes
// included, and is an empty handle past the last child; and (see ChildWalk) through the assignment
// of another element's begin(), also of an element without children.
bool iterator_handle_follows() noexcept {
  static const bool follows = [] {
    pugi::xml_document doc;
    if (!doc.load_string("<a><b/>text<c/></a>")) return false;
    const pugi::xml_node a = doc.document_element();
    const pugi::xml_node b = a.first_child();
    const pugi::xml_node text = b.next_sibling();
    const pugi::xml_node c = text.next_sibling();
    if (!b || !text || !c) return false;
    pugi::xml_node_iterator it(b);
    const pugi::xml_node& held = *it;
    if (held != b) return false;
    ++it;
    if (&*it != &held || held != text) return false;
    ++it;
    if (&*it != &held || held != c) return false;
    ++it;
    if (!held.empty()) return false;  // past the last child
    it = a.begin();
    if (&*it != &held || held != b) return false;
    it = b.begin();  // b has no children
    if (!held.empty()) return false;
    it = a.begin();
    ++it;
    return &*it == &held && held == text;
  }();
  return follows;
}

ReadResult<std::unique_ptr<ParsedMessage>> parse_message(std::string_view bytes, const ReaderLimits& limits,
                                                         Depth depth) {
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
  message->max_depth = limits.max_depth;

  // Find the payload first (its subtree may be left to the reader), then check the depth, then
  // report what is missing: the same order of refusals as checking the depth first.
  const pugi::xml_node root = message->doc.document_element();
  const char* structure_error = nullptr;
  if (!root) {
    structure_error = "document has no element";
  } else if (local_name(root) == "Envelope" && is_envelope_ns(namespace_of(root))) {
    pugi::xml_node body;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const auto name = local_name(c);
      if (name == "Header" && !message->header) message->header = c;
      else if (name == "Body" && !body) body = c;
    }
    if (!body) {
      structure_error = "SOAP envelope has no Body";
    } else {
      message->payload = first_element_child(body);
      message->payload_depth = 3;
      if (!message->payload) structure_error = "SOAP Body is empty";
    }
  } else {
    message->payload = root;
  }
  message->depth_deferred = depth == Depth::deferred && message->payload;
  if (subtree_too_deep(message->doc, 0, message->max_depth,
                       message->depth_deferred ? message->payload : pugi::xml_node{})) {
    return Unexpected<ReadError>{too_deep_error(limits.max_depth)};
  }
  if (structure_error != nullptr) return parse_failure(structure_error);
  return message;
}

template <class Tree>
bool too_deep_below(pugi::xml_node node, std::size_t depth, std::size_t max_depth, pugi::xml_node skip) {
  // Nodes at depth 1 are never refused, whatever max_depth says.
  const std::size_t limit = max_depth == 0 ? 1 : max_depth;
  if (depth > limit) return true;
  pugi::xml_node cur = node;
  std::size_t d = depth;
  for (;;) {
    // `cur` is at depth d <= limit. Embedded text counts as a node one deeper (as it would be
    // without parse_embed_pcdata); only elements embed text.
    if (d == limit && Tree::has_value(cur) && Tree::type(cur) == pugi::node_element) return true;
    const pugi::xml_node child = same(cur, skip) ? pugi::xml_node{} : Tree::first_child(cur);
    if (present(child)) {
      if (d == limit) return true;
      cur = child;
      ++d;
      continue;
    }
    for (;;) {
      if (same(cur, node)) return false;
      const pugi::xml_node next = Tree::next_sibling(cur);
      if (present(next)) {
        cur = next;
        break;
      }
      cur = Tree::parent(cur);
      --d;
    }
  }
}

template bool too_deep_below<Calls>(pugi::xml_node, std::size_t, std::size_t, pugi::xml_node);

bool subtree_too_deep(pugi::xml_node node, std::size_t depth, std::size_t max_depth, pugi::xml_node skip) {
  return too_deep_below<Calls>(node, depth, max_depth, skip);
}

ReadError too_deep_error(std::size_t max_depth) {
  return ReadError{Outcome::parse_error, "elements nested deeper than " + std::to_string(max_depth), {}, false};
}

ReadError deferred_failure(const ParsedMessage& message, ReadError error) {
  if (message.depth_deferred &&
      subtree_too_deep(message.payload, message.payload_depth, message.max_depth)) {
    return too_deep_error(message.max_depth);
  }
  return error;
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

std::string text_of(pugi::xml_node node) {
  std::string scratch;
  return std::string(simple_text(node, scratch));
}

bool is_fault(pugi::xml_node payload) noexcept {
  return local_name(payload) == "Fault" && is_envelope_ns(namespace_of(payload));
}

std::optional<ReadError> check_payload(const ParsedMessage& message, std::string_view name, std::string_view ns_uri) {
  if (local_name(message.payload) != name || namespace_of(message.payload) != ns_uri) {
    // Not the expected payload: refused for its depth first, as by a full check in parse_message.
    if (message.depth_deferred && subtree_too_deep(message.payload, message.payload_depth, message.max_depth)) {
      return too_deep_error(message.max_depth);
    }
  }
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
