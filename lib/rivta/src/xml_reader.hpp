#pragma once
// The shared reading machinery (internal; pugixml stays out of the public headers).
//
// pugixml is a shared library here: every accessor (first_child, next_sibling, name, value, …) is an
// out-of-line call. The readers of large messages therefore walk the tree once, with as few calls per
// node as they can (name, value, first_child and the step to the next sibling for a field — see
// ChildWalk — and first_attribute where the name does not prove there is none), and
// bound the nesting depth during that walk instead of in a separate traversal (see Depth::deferred).
//
// Documents are parsed with parse_embed_pcdata: the text of an element that starts with text is kept
// as the element's value() instead of a child node (one node instead of two for every simple field).
// An element's text is therefore its value() followed by its text/CDATA children (text_of).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <pugixml.hpp>

#include "bokade/core/source_status.hpp"
#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/soap_envelope.hpp"
#include "xml_text.hpp"

namespace bokade::rivta::detail {

// Null tests without a library call. pugixml's handles are a single pointer (declared so in
// pugixml.hpp, i.e. part of its ABI), but even their operator bool is out of line in the shared
// library; on the hot paths these replace `if (node)` and `node == other`.
static_assert(sizeof(pugi::xml_node) == sizeof(void*) && std::is_trivially_copyable_v<pugi::xml_node>);
static_assert(sizeof(pugi::xml_attribute) == sizeof(void*) && std::is_trivially_copyable_v<pugi::xml_attribute>);
inline bool present(pugi::xml_node node) noexcept { return std::bit_cast<const void*>(node) != nullptr; }
inline bool present(pugi::xml_attribute attribute) noexcept { return std::bit_cast<const void*>(attribute) != nullptr; }
inline bool same(pugi::xml_node a, pugi::xml_node b) noexcept {
  return std::bit_cast<const void*>(a) == std::bit_cast<const void*>(b);
}

// How the hot walks step through the tree: pugixml's public accessors, gathered in one place so the
// walks stay templates over the way they step (a tree type must offer these functions).
struct Calls {
  static pugi::xml_node first_child(pugi::xml_node n) { return n.first_child(); }
  static pugi::xml_node next_sibling(pugi::xml_node n) { return n.next_sibling(); }
  static pugi::xml_node parent(pugi::xml_node n) { return n.parent(); }
  static pugi::xml_attribute first_attribute(pugi::xml_node n) { return n.first_attribute(); }
  static const char* name(pugi::xml_node n) { return n.name(); }
  static const char* value(pugi::xml_node n) { return n.value(); }
  static pugi::xml_node_type type(pugi::xml_node n) { return n.type(); }
  static pugi::xml_node_iterator begin(pugi::xml_node n) { return n.begin(); }  // see ChildWalk
  static bool has_value(pugi::xml_node n) { return *n.value() != 0; }  // see too_deep_below
};

// Steps through the children of one element after another with one cheap library call per child. In
// Debian's build, next_sibling() costs two calls and a stack-protector check (it returns a new handle
// through the exported constructor); xml_node_iterator's operator++ only replaces the handle the
// iterator holds. operator* returns a reference to that handle (a const operator* returning xml_node&
// can only refer to the iterator's mutable member), so a reference taken once follows the iterator.
// A reader keeps one walk per level for the whole message (the timeslots, then each timeslot's fields;
// the transactions, their parts, each engagement's fields) and sets it on the next element with
// start(): after the first element with a child that is the element's begin() assigned to the
// iterator the walk keeps, in place of the first_child() a walk needs anyway (begin() costs four
// nested calls, first_child() two). The reference is taken once, at the first element with a child
// (operator* must not be called on an iterator past the end). That it follows ++ and such assignments
// is checked once per process on a small document (iterator_handle_follows); where it does not hold,
// the walk uses first_child() and next_sibling(). Nothing but the public API is used.
bool iterator_handle_follows() noexcept;
template <class Tree = Calls>
class ChildWalk {
 public:
  ChildWalk() : iterate_(iterator_handle_follows()) {}
  ChildWalk(const ChildWalk&) = delete;  // held_ points into it_
  ChildWalk& operator=(const ChildWalk&) = delete;
  // Sets the walk on the first child of `parent` (empty when it has none).
  void start(pugi::xml_node parent) {
    if (held_ != nullptr) {
      it_ = Tree::begin(parent);
      return;
    }
    node_ = Tree::first_child(parent);
    if (iterate_ && present(node_)) {
      it_ = pugi::xml_node_iterator(node_);
      held_ = &*it_;
    }
  }
  // The current child; empty after the last one.
  pugi::xml_node node() const noexcept { return held_ != nullptr ? *held_ : node_; }
  void next() {
    if (held_ != nullptr) ++it_;
    else node_ = Tree::next_sibling(node_);
  }

 private:
  pugi::xml_node_iterator it_;
  const pugi::xml_node* held_ = nullptr;  // the handle in it_, once iterating with it_
  pugi::xml_node node_;                   // until then, or when not iterating
  bool iterate_;
};

// How parse_message bounds the nesting depth.
enum class Depth : unsigned char {
  full,      // every node of the document is checked before parse_message returns
  deferred,  // all but the payload's descendants; the reader bounds those during its own walk and
             // calls deferred_failure for any error it returns (see below)
};

struct ParsedMessage {
  pugi::xml_document doc;
  pugi::xml_node header;         // the SOAP Header, empty when absent or when the document is bare
  pugi::xml_node payload;        // the first element in the Body, or the root element of a bare document
  std::size_t payload_depth = 1; // the root element is at depth 1
  std::size_t max_depth = 64;    // limits.max_depth
  bool depth_deferred = false;   // the payload's descendants are not checked yet
};

// Refuses documents over limits.max_bytes (before parsing), holding a DTD, malformed, or nested
// deeper than limits.max_depth (every node counts: elements, text — an element's embedded text one
// deeper than the element — and CDATA). Accepts a SOAP 1.1/1.2 Envelope or a bare payload element.
ReadResult<std::unique_ptr<ParsedMessage>> parse_message(std::string_view bytes, const ReaderLimits& limits,
                                                         Depth depth = Depth::full);

// Whether any node of the subtree of `node` (itself at `depth`) lies deeper than max_depth, not
// looking below `skip`. Iterative: safe for any nesting.
bool subtree_too_deep(pugi::xml_node node, std::size_t depth, std::size_t max_depth, pugi::xml_node skip = {});
// The same through the given Tree. An element whose text decodes to nothing at all (only "&#0;")
// cannot be told from one without text, so that text does not count for its depth.
template <class Tree>
bool too_deep_below(pugi::xml_node node, std::size_t depth, std::size_t max_depth, pugi::xml_node skip = {});
extern template bool too_deep_below<Calls>(pugi::xml_node, std::size_t, std::size_t, pugi::xml_node);
ReadError too_deep_error(std::size_t max_depth);
// For Depth::deferred readers: the error to return instead of `error` — the depth error when the
// payload is nested too deep (as Depth::full would have refused the document before anything else).
ReadError deferred_failure(const ParsedMessage& message, ReadError error);
inline ReadError deferred_failure(const ParsedMessage& message, std::string reason) {
  return deferred_failure(message, ReadError{Outcome::parse_error, std::move(reason), {}, false});
}

std::string_view local_name(pugi::xml_node node) noexcept;
// The namespace URI bound to the element's prefix (or the default namespace), looked up through its
// ancestors' xmlns declarations; empty when none is bound.
std::string_view namespace_of(pugi::xml_node node) noexcept;

// The hot walks look at every element name once, just after the parse has left the names' bytes
// out of the nearer caches: one strlen (vectorised) and inline compares by 8-byte words, no memchr
// and memcmp calls.
struct ElementName {
  std::string_view prefix;  // before the first colon; empty when there is none
  std::string_view local;
};
// The local part of a NUL-terminated qualified name; `prefix` receives the part before the colon.
inline const char* after_prefix(const char* qname, std::string_view& prefix) noexcept {
  const char* p = qname;
  while (*p != 0 && *p != ':') ++p;  // prefixes are short; an unprefixed name ends here
  if (*p == 0) {
    prefix = {};
    return qname;
  }
  prefix = std::string_view(qname, static_cast<std::size_t>(p - qname));
  return p + 1;
}
inline ElementName element_name(const char* qname) noexcept {
  ElementName n;
  n.local = after_prefix(qname, n.prefix);
  return n;
}
// a == b, inline: by 8-byte words (the last one overlapping) when at least 8 bytes long, else by two
// overlapping 4- or 2-byte words; never a byte outside either view.
inline bool equal(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  auto load = [](const char* p, auto word) noexcept {
    std::memcpy(&word, p, sizeof word);
    return word;
  };
  if (n < 8) {
    if (n >= 4) {
      return load(a.data(), std::uint32_t{}) == load(b.data(), std::uint32_t{}) &&
             load(a.data() + n - 4, std::uint32_t{}) == load(b.data() + n - 4, std::uint32_t{});
    }
    if (n >= 2) {
      return load(a.data(), std::uint16_t{}) == load(b.data(), std::uint16_t{}) &&
             load(a.data() + n - 2, std::uint16_t{}) == load(b.data() + n - 2, std::uint16_t{});
    }
    return n == 0 || a[0] == b[0];
  }
  for (std::size_t k = 0; k + 8 < n; k += 8) {
    if (load(a.data() + k, std::uint64_t{}) != load(b.data() + k, std::uint64_t{})) return false;
  }
  return load(a.data() + n - 8, std::uint64_t{}) == load(b.data() + n - 8, std::uint64_t{});
}
// after_prefix for the fields of one walk, which share a prefix or two: `last` is the prefix of the
// previous name. When `qname` starts with it and a colon, that is its first colon (a prefix holds
// none), told by comparing rather than scanning for the colon; otherwise it is looked for, and `last`
// becomes the new prefix. Compares byte by byte: `qname` may be shorter than `last` (its NUL stops it).
inline const char* after_prefix(const char* qname, std::string_view& prefix, std::string_view& last) noexcept {
  const std::size_t n = last.size();
  if (n != 0) {
    std::size_t k = 0;
    while (k < n && qname[k] == last[k]) ++k;
    if (k == n && qname[n] == ':') {
      prefix = last;
      return qname + n + 1;
    }
  }
  const char* local = after_prefix(qname, prefix);
  last = prefix;
  return local;
}

// Whether the local name `local` of an element whose value() is `value` is exactly `expected` (a
// name without NUL), told without a strlen in the usual layout: a field written <p:name>text keeps
// its text right after the name's terminator (the '>' the parser overwrote), so the name is
// value - local - 1 bytes long if that byte is its terminator, and equal bytes then prove it. A
// false answer means "not proven" (attributes, spaces, no text, another name): look the usual way.
// An element's name and its non-empty value (embedded text) both lie in the document buffer, the
// value after the name.
// A true answer also proves that the element has no attributes (so declares no namespace): the
// byte after its name was the '>' that ends its start tag, as an attribute would have needed white
// space there and put its text further on.
inline bool local_name_is(const char* local, const char* value, std::string_view expected) noexcept {
  if (*local == 0 || *value == 0) return false;  // not an element (text, CDATA), or no text
  const auto gap = reinterpret_cast<std::uintptr_t>(value) - reinterpret_cast<std::uintptr_t>(local) - 1;
  return gap == expected.size() && local[gap] == 0 && equal(std::string_view(local, gap), expected);
}
// local_name_is for the whole qualified name `qname`: whether it is exactly `prefix:expected` (just
// `expected` when `prefix` is empty), told the same way from where the value starts, so a walk whose
// fields share the previous field's prefix needs no scan for the colon (after_prefix). `prefix` holds
// no colon (it is the part before the first one), so a true answer also means the element's prefix
// is `prefix` and its local name `expected`; and, as above, that it has no attributes.
inline bool qualified_name_is(const char* qname, const char* value, std::string_view prefix,
                              std::string_view expected) noexcept {
  if (*qname == 0 || *value == 0) return false;  // not an element, or no text
  const std::size_t local = prefix.empty() ? 0 : prefix.size() + 1;
  const auto gap = reinterpret_cast<std::uintptr_t>(value) - reinterpret_cast<std::uintptr_t>(qname) - 1;
  if (gap != local + expected.size() || qname[gap] != 0) return false;
  if (local != 0 && (qname[local - 1] != ':' || !equal(std::string_view(qname, prefix.size()), prefix))) return false;
  return equal(std::string_view(qname + local, expected.size()), expected);
}

// Trimmed text content of a simple element: its embedded text and all its text/CDATA children.
std::string text_of(pugi::xml_node node);
// field_text for an element with children: its value and its text/CDATA children joined in `scratch`.
template <class Tree = Calls>
[[gnu::noinline]] std::string_view joined_text(const char* value, pugi::xml_node first_child, std::string& scratch) {
  scratch = value;
  for (pugi::xml_node c = first_child; present(c); c = Tree::next_sibling(c)) {
    const auto type = Tree::type(c);
    if (type == pugi::node_pcdata || type == pugi::node_cdata) scratch += Tree::value(c);
  }
  return trim(scratch);
}
// As text_of, for a walk that already holds the element's value() and first_child(): a view into
// the document when the element holds one piece of text (the usual case, inline), else into `scratch`.
template <class Tree = Calls>
inline std::string_view field_text(const char* value, pugi::xml_node first_child, std::string& scratch) {
  if (!present(first_child)) [[likely]] return trim(std::string_view(value));
  return joined_text<Tree>(value, first_child, scratch);
}
// Text of up to this many bytes is copied without a memcpy call (see set_text): what every std::string
// holds without an allocation (libstdc++'s in-place buffer).
inline constexpr std::size_t short_text = 15;
// The n <= 15 bytes at `from` as two words, zero-filled after them: loaded by at most two
// overlapping loads, never touching a byte outside [from, from + n), and put together in registers.
struct ShortText {
  std::uint64_t low = 0;   // bytes 0-7
  std::uint64_t high = 0;  // bytes 8-15
};
inline ShortText load_short(const char* from, std::size_t n) noexcept {
  auto load = [](const char* p, auto word) noexcept {
    std::memcpy(&word, p, sizeof word);
    return static_cast<std::uint64_t>(word);
  };
  static_assert(std::endian::native == std::endian::little, "the shifts below assume little endian");
  ShortText t;
  if (n >= 8) {
    t.low = load(from, std::uint64_t{});
    // The last 8 bytes hold bytes n-8 .. n-1; bytes 8 .. n-1 are their top n-8.
    if (n > 8) t.high = load(from + n - 8, std::uint64_t{}) >> (8 * (16 - n));
  } else if (n >= 4) {
    // Two overlapping 4-byte words; the overlapping bytes are equal in both.
    t.low = load(from, std::uint32_t{}) | (load(from + n - 4, std::uint32_t{}) << (8 * (n - 4)));
  } else if (n != 0) {
    t.low = static_cast<unsigned char>(from[0]) |
            (std::uint64_t{static_cast<unsigned char>(from[n / 2])} << (8 * (n / 2))) |
            (std::uint64_t{static_cast<unsigned char>(from[n - 1])} << (8 * (n - 1)));
  }
  return t;
}
// Sets a field of the result (usually still empty). Short text (most of a message's fields) is
// copied without a library call: the string is first given short_text zero bytes (append with a
// constant length: two moves, where a varying length calls memcpy; any std::string holds short_text
// bytes without allocating), the text is stored over them as two words (load_short), and the string
// is cut back to the text's size. Longer text goes into an allocation of exactly its size, which the
// field then takes over (growing the string would round its capacity up to 30 bytes).
[[gnu::always_inline]] inline void set_text(std::string& into, std::string_view text) {
  into.clear();
  if (text.size() <= short_text) {
    static constexpr char zeros[short_text] = {};
    const ShortText t = load_short(text.data(), text.size());
    into.append(zeros, short_text);
    char* to = into.data();
    // Bytes 0-7, then 7-14 (one store each; byte 7 twice): short_text bytes, none beyond.
    const std::uint64_t from_7 = (t.low >> 56) | (t.high << 8);
    std::memcpy(to, &t.low, sizeof t.low);
    std::memcpy(to + 7, &from_7, sizeof from_7);
    into.resize(text.size());
  } else if (text.size() <= into.capacity()) {
    into.append(text.data(), text.size());
  } else {
    into = std::string(text);
  }
}
inline std::string_view simple_text(pugi::xml_node node, std::string& scratch) {
  return field_text(node.value(), node.first_child(), scratch);
}

bool is_fault(pugi::xml_node payload) noexcept;
Fault fault_from_node(pugi::xml_node fault);  // implemented in fault.cpp
// The records of a ProcessingStatus element; implemented in processing_status.cpp.
std::vector<SourceStatus> processing_status_from_node(pugi::xml_node status);

// Checks that the payload is `name` in namespace `ns`. A SOAP fault is returned as its ReadError.
// With Depth::deferred, a payload nested too deep is refused as such first.
std::optional<ReadError> check_payload(const ParsedMessage& message, std::string_view name, std::string_view ns);

// The first header element with this local name, preferring one in namespace `ns`.
pugi::xml_node find_header(const ParsedMessage& message, std::string_view name, std::string_view ns) noexcept;

// Whether fields may be in a namespace: for a walk over the descendants of one element (the scope,
// e.g. the payload), remembers per prefix whether it resolves to an accepted namespace. Valid for an
// element when neither it nor any element between it and the scope has attributes (so none declares
// a namespace): then its prefix resolves as at the scope. Others are resolved on their own.
template <bool (*Accepted)(std::string_view uri) noexcept>
class PrefixCache {
 public:
  // Inline for the usual case: the field has the prefix of the previous one, as the same view (see
  // the after_prefix that keeps `last`), so not even its bytes need comparing.
  bool accepted(pugi::xml_node element, std::string_view prefix, bool declarations_between) {
    if (!declarations_between && has_last_ && prefix.data() == last_.data() && prefix.size() == last_.size()) {
      return last_accepted_;
    }
    return look_up(element, prefix, declarations_between);
  }
  void clear() noexcept {
    entries_.clear();
    has_last_ = false;
  }

 private:
  [[gnu::noinline]] bool look_up(pugi::xml_node element, std::string_view prefix, bool declarations_between) {
    if (declarations_between) return Accepted(namespace_of(element));
    bool ok = false;
    const auto known = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return equal(e.prefix, prefix); });
    if (known != entries_.end()) {
      ok = known->accepted;
    } else {
      ok = Accepted(namespace_of(element));
      entries_.push_back({prefix, ok});
    }
    has_last_ = true;
    last_ = prefix;
    last_accepted_ = ok;
    return ok;
  }
  struct Entry {
    std::string_view prefix;  // into the document
    bool accepted;
  };
  std::vector<Entry> entries_;
  bool has_last_ = false;
  std::string_view last_;  // the prefix (view) of the last element looked up, and its answer
  bool last_accepted_ = false;
};

}  // namespace bokade::rivta::detail
