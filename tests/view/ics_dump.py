#!/usr/bin/python3
"""Reads an iCalendar file with the icalendar library (an independent RFC 5545 parser) and writes what a
calendar client would show as JSON, for tests/view to compare with what bokade meant to say.

usage: ics_dump.py CALENDAR.ics OUT.json
"""
import datetime
import json
import sys

import icalendar


def utc(prop):
    value = prop.dt
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise SystemExit(f"not a UTC date-time: {prop.to_ical()!r}")
    if value.utcoffset() != datetime.timedelta(0):
        raise SystemExit(f"not in UTC: {prop.to_ical()!r}")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    raw = open(path, "rb").read()
    # Every physical line must be UTF-8 by itself: a fold that split a character would fail here, although
    # a parser that unfolds first would not notice.
    physical = raw.split(b"\r\n")
    for number, line in enumerate(physical, 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SystemExit(f"physical line {number} is not UTF-8 by itself: {e}")
    calendar = icalendar.Calendar.from_ical(raw.decode("utf-8"))
    result = {
        "calendar": {key: str(calendar.get(key)) for key in
                     ("VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME") if key in calendar},
        "physical_lines": len(physical) - 1,
        "events": [],
    }
    for event in calendar.walk("VEVENT"):
        result["events"].append({
            "uid": str(event["UID"]),
            "dtstamp": utc(event["DTSTAMP"]),
            "dtstart": utc(event["DTSTART"]),
            "dtend": utc(event["DTEND"]),
            "summary": str(event["SUMMARY"]),
            "location": str(event.get("LOCATION", "")),
            "description": str(event.get("DESCRIPTION", "")),
            "status": str(event["STATUS"]),
        })
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False)


main()
