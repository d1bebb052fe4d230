#pragma once
// A minimal, strict XML writer for SOAP messages (internal): the caller decides the element order
// the schema wants; this class guarantees escaping and well-formedness of the text.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace bokade::rivta::detail {

class XmlWriter {
 public:
  using Namespaces = std::initializer_list<std::pair<std::string_view, std::string_view>>;  // prefix, uri

  explicit XmlWriter(std::size_t reserve = 1024);

  // <?xml …?><soapenv:Envelope xmlns:soapenv=… plus `namespaces`>
  void begin_envelope(Namespaces namespaces);
  void end_envelope();

  void open(std::string_view qname);
  void open(std::string_view qname, Namespaces namespaces);
  void close(std::string_view qname);
  // <qname>escaped text</qname>
  void element(std::string_view qname, std::string_view text);
  // Only when text is not empty.
  void optional_element(std::string_view qname, std::string_view text);
  void boolean(std::string_view qname, bool value);
  void text(std::string_view text);
  void raw(std::string_view xml) { out_ += xml; }

  std::string take() && { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace bokade::rivta::detail
