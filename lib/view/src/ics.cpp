#include "bokade/view/ics.hpp"

#include <vector>

#include "text.hpp"

namespace bokade::view {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t max_line_octets = 75;  // RFC 5545 §3.1, without the CRLF
constexpr auto default_length = 30min;        // for an appointment without a usable end

// "20261123T083000Z" (RFC 5545 §3.3.5, form #2: UTC).
std::string ics_utc(UtcTime t) {
  std::string out;
  for (char c : format_iso_utc(t)) {  // "2026-11-23T08:30:00Z"
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

void property(std::string& out, std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  line += value;
  out += ics_fold_line(line);
  out += "\r\n";
}

void text_property(std::string& out, std::string_view name, std::string_view value) {
  property(out, name, ics_escape_text(value));
}

std::string description(const AppointmentView& v) {
  const Appointment& a = v.appointment;
  std::vector<std::string> lines;
  if (!detail::trim(a.purpose).empty()) lines.push_back("Syfte: " + std::string(detail::trim(a.purpose)));
  if (!detail::trim(a.reason).empty()) lines.push_back("Besöksorsak: " + std::string(detail::trim(a.reason)));
  if (!detail::trim(a.performer_name).empty()) {
    lines.push_back("Vårdpersonal: " + std::string(detail::trim(a.performer_name)));
  }
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

void event(std::string& out, const AppointmentView& v, std::string_view host, UtcTime stamp) {
  const Appointment& a = v.appointment;
  const UtcTime start = *a.start;
  const UtcTime end = a.end && *a.end > start ? *a.end : start + default_length;
  const std::string_view clinic = v.clinic.name.empty() ? std::string_view(v.clinic.hsa_id) : v.clinic.name;
  const std::string_view type = detail::trim(a.time_type_name);
  std::string summary = type.empty() ? std::string("Bokad tid") : std::string(type);
  summary += " – ";  // an en dash, as 1177 writes it
  summary += clinic;

  out += "BEGIN:VEVENT\r\n";
  text_property(out, "UID", v.id + "@" + std::string(host));
  property(out, "DTSTAMP", ics_utc(stamp));
  property(out, "DTSTART", ics_utc(start));
  property(out, "DTEND", ics_utc(end));
  text_property(out, "SUMMARY", summary);
  if (!v.clinic.name.empty()) text_property(out, "LOCATION", v.clinic.name);
  if (const std::string d = description(v); !d.empty()) text_property(out, "DESCRIPTION", d);
  property(out, "STATUS", "CONFIRMED");
  out += "END:VEVENT\r\n";
}

}  // namespace

std::string ics_escape_text(std::string_view text) {
  const std::string valid = detail::valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size(); ++i) {
    const char c = valid[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\r':
        if (i + 1 < valid.size() && valid[i + 1] == '\n') ++i;  // CRLF is one line break
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default:
        // TEXT allows HTAB but no other control character (RFC 5545 §3.3.11, §3.1 CONTROL).
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string ics_fold_line(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 70 * 3);
  std::size_t pos = 0;
  std::size_t room = max_line_octets;  // the first physical line has all 75; the others give one to the space
  while (line.size() - pos > room) {
    std::size_t cut = pos + room;
    // Back up to the start of the UTF-8 character the cut would fall into.
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0U) == 0x80U) --cut;
    // Keep an escape ("\,", "\;", "\\", "\n") on one line: RFC 5545 unfolds before unescaping, so a split
    // one is valid, but some clients read line by line. An odd run of backslashes before the cut means the
    // last one starts an escape.
    std::size_t backslashes = 0;
    while (cut - backslashes > pos && line[cut - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 1 && cut - 1 > pos) --cut;
    if (cut == pos) cut = pos + room;  // not UTF-8 at all: a cut anywhere is as good as any
    out.append(line.substr(pos, cut - pos));
    out += "\r\n ";
    pos = cut;
    room = max_line_octets - 1;
  }
  out.append(line.substr(pos));
  return out;
}

std::string to_ics(const PersonView& view, std::string_view host) {
  const std::string_view uid_host = host.empty() ? std::string_view("bokade") : host;
  std::string out;
  out += "BEGIN:VCALENDAR\r\n";
  property(out, "VERSION", "2.0");
  property(out, "PRODID", "-//bokade//Bokade tider//SV");
  property(out, "CALSCALE", "GREGORIAN");
  property(out, "METHOD", "PUBLISH");
  text_property(out, "X-WR-CALNAME", "Bokade tider");
  for (const auto& v : view.appointments) {
    if (v.appointment.start) event(out, v, uid_host, view.generated);
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

}  // namespace bokade::view
