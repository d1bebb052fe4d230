#pragma once
// The calendar of GET /v1/persons/{personId}/appointments.ics: RFC 5545, one VEVENT per appointment with a
// start (an appointment without one cannot be placed in a calendar and is left out).
//
// Times are UTC ("…Z"), so no VTIMEZONE is needed. An appointment without an end, or with an end not after
// its start, gets DTEND = start + 30 min (DTEND rather than DURATION: every client reads DTEND, and the event
// then looks like the other ones). UID is "<appointment id>@<host>", stable across requests, so a subscribed
// calendar updates events instead of duplicating them.

#include <string>
#include <string_view>

#include "bokade/view/person_view.hpp"

namespace bokade::view {

// `host` names this service in UIDs (e.g. "bokade.example.se"); empty = "bokade".
std::string to_ics(const PersonView& view, std::string_view host);

// RFC 5545 §3.3.11 TEXT escaping: backslash, ';' and ',' get a backslash, a line break becomes "\n";
// other control characters are dropped and malformed UTF-8 becomes U+FFFD.
std::string ics_escape_text(std::string_view text);

// RFC 5545 §3.1 folding of one content line (without its CRLF): at most 75 octets per physical line, each
// continuation starting with one space, never splitting a UTF-8 character. Lines are joined with CRLF; the
// result has no trailing CRLF.
std::string ics_fold_line(std::string_view line);

}  // namespace bokade::view
