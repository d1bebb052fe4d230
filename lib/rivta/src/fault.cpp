#include "bokade/rivta/fault.hpp"

#include <array>

#include "bokade/rivta/namespaces.hpp"
#include "xml_reader.hpp"
#include "xml_text.hpp"
#include "xml_writer.hpp"

namespace bokade::rivta {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The first "VPnnn"/"EInnn" in `text` standing as a word of its own, within the known ranges.
std::string find_platform_code(std::string_view text) {
  for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
    const bool vp = text[i] == 'V' && text[i + 1] == 'P';
    const bool ei = text[i] == 'E' && text[i + 1] == 'I';
    if (!vp && !ei) continue;
    if (i > 0 && is_alnum(text[i - 1])) continue;
    if (!is_digit(text[i + 2]) || !is_digit(text[i + 3]) || !is_digit(text[i + 4])) continue;
    if (i + 5 < text.size() && is_alnum(text[i + 5])) continue;
    const int number = (text[i + 2] - '0') * 100 + (text[i + 3] - '0') * 10 + (text[i + 4] - '0');
    if ((vp && number >= 1 && number <= 15) || (ei && number <= 6)) return std::string(text.substr(i, 5));
  }
  return {};
}

bool mentions_timeout(std::string_view text) noexcept {
  for (std::string_view needle : {"timeout", "Timeout", "timed out", "Timed out", "TimeoutException"}) {
    if (text.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

FaultClassification classify_fault_text(std::string_view fault_text) {
  FaultClassification c;
  c.code = find_platform_code(fault_text);
  if (c.code.empty()) return c;  // a producer's own fault: soap_fault, permanent for this refresh
  const int number = std::stoi(c.code.substr(2));
  if (c.code[0] == 'V') {
    c.source = FaultSource::virtualization_platform;
    c.retryable = number == 8 || number == 9 || number == 12;
    if (number == 4) c.outcome = Outcome::no_route;
    else if (number == 7) c.outcome = Outcome::not_authorized;
    else if (number == 9 && mentions_timeout(fault_text)) c.outcome = Outcome::timeout;
  } else {
    c.source = FaultSource::engagement_index;
    c.retryable = number == 0;  // EI000: a technical error inside the index
  }
  return c;
}

ReadError to_read_error(const Fault& fault) {
  std::string reason = "SOAP fault";
  if (!fault.faultcode.empty()) reason += " (" + fault.faultcode + ")";
  const std::string& text = fault.faultstring.empty() ? fault.detail : fault.faultstring;
  if (!text.empty()) {
    // Keep the reason short: it becomes a log line and a ProcessingStatus text.
    constexpr std::size_t max_text = 300;
    reason += ": " + (text.size() > max_text ? text.substr(0, max_text) + "…" : text);
  }
  return ReadError{fault.classification.outcome, std::move(reason), fault.classification.code,
                   fault.classification.retryable};
}

namespace detail {

Fault fault_from_node(pugi::xml_node fault_node) {
  Fault f;
  for (pugi::xml_node c = fault_node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = local_name(c);
    if (name == "faultcode") {
      f.faultcode = text_of(c);
    } else if (name == "faultstring") {
      f.faultstring = redact_person_ids(text_of(c));
    } else if (name == "faultactor") {
      f.faultactor = text_of(c);
    } else if (name == "detail" || name == "Detail") {
      // The detail of a VP or producer fault is a small tree; its concatenated text is enough.
      std::string all(trim(c.value()));  // the text the detail element itself starts with
      for (pugi::xml_node d = c.first_child(); d;) {
        // Text nodes, and the text an element starts with (embedded in it, see xml_reader.hpp).
        const auto type = d.type();
        if (type == pugi::node_pcdata || type == pugi::node_cdata || (type == pugi::node_element && *d.value() != 0)) {
          if (!all.empty()) all += ' ';
          all += trim(d.value());
        }
        if (d.first_child()) {
          d = d.first_child();
          continue;
        }
        while (d && d != c && !d.next_sibling()) d = d.parent();
        if (d == c) break;
        d = d.next_sibling();
      }
      f.detail = redact_person_ids(all);
    } else if (name == "Code") {  // SOAP 1.2
      for (pugi::xml_node v = c.first_child(); v; v = v.next_sibling()) {
        if (local_name(v) == "Value") f.faultcode = text_of(v);
      }
    } else if (name == "Reason") {  // SOAP 1.2
      for (pugi::xml_node t = c.first_child(); t; t = t.next_sibling()) {
        if (local_name(t) == "Text" && f.faultstring.empty()) f.faultstring = redact_person_ids(text_of(t));
      }
    }
  }
  f.classification = classify_fault_text(f.faultstring);
  if (f.classification.code.empty() && !f.detail.empty()) f.classification = classify_fault_text(f.detail);
  return f;
}

}  // namespace detail

ReadResult<Fault> read_fault(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  if (!detail::is_fault(message.payload)) {
    return parse_failure("expected a SOAP Fault, found " + std::string(detail::local_name(message.payload)));
  }
  return detail::fault_from_node(message.payload);
}

std::string write_fault(FaultCode code, std::string_view faultstring, std::string_view detail) {
  detail::XmlWriter w(256 + faultstring.size() + detail.size());
  w.begin_envelope({});
  w.open("soapenv:Body");
  w.open("soapenv:Fault");
  // faultcode is a QName; the soapenv prefix is bound on the Envelope.
  w.element("faultcode", code == FaultCode::client ? "soapenv:Client" : "soapenv:Server");
  w.element("faultstring", faultstring);
  if (!detail.empty()) {
    w.open("detail");
    // Detail entries must be namespace-qualified (SOAP 1.1 §4.4).
    w.open("bokade:message", {{"bokade", "urn:bokade:fault:1"}});
    w.text(detail);
    w.close("bokade:message");
    w.close("detail");
  }
  w.close("soapenv:Fault");
  w.close("soapenv:Body");
  w.end_envelope();
  return std::move(w).take();
}

}  // namespace bokade::rivta
