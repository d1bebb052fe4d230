#include "xml_writer.hpp"

#include "bokade/rivta/namespaces.hpp"
#include "xml_text.hpp"

namespace bokade::rivta::detail {

XmlWriter::XmlWriter(std::size_t reserve) { out_.reserve(reserve); }

void XmlWriter::begin_envelope(Namespaces namespaces) {
  out_ += R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out_ += "\n";
  open("soapenv:Envelope", namespaces);
}

void XmlWriter::end_envelope() {
  close("soapenv:Envelope");
  out_ += '\n';
}

void XmlWriter::open(std::string_view qname) {
  out_ += '<';
  out_ += qname;
  out_ += '>';
}

void XmlWriter::open(std::string_view qname, Namespaces namespaces) {
  out_ += '<';
  out_ += qname;
  if (qname == "soapenv:Envelope") {
    out_ += R"( xmlns:soapenv=")";
    out_ += ns::soap11_envelope;
    out_ += '"';
  }
  for (const auto& [prefix, uri] : namespaces) {
    out_ += prefix.empty() ? " xmlns" : " xmlns:";
    out_ += prefix;
    out_ += "=\"";
    append_escaped(out_, uri);
    out_ += '"';
  }
  out_ += '>';
}

void XmlWriter::close(std::string_view qname) {
  out_ += "</";
  out_ += qname;
  out_ += '>';
}

void XmlWriter::element(std::string_view qname, std::string_view text) {
  open(qname);
  append_escaped(out_, text);
  close(qname);
}

void XmlWriter::text(std::string_view text) { append_escaped(out_, text); }

void XmlWriter::optional_element(std::string_view qname, std::string_view text) {
  if (!text.empty()) element(qname, text);
}

void XmlWriter::boolean(std::string_view qname, bool value) { element(qname, value ? "true" : "false"); }

}  // namespace bokade::rivta::detail
