#include "bokade/rivta/processing_status.hpp"

#include "bokade/rivta/fault.hpp"
#include "bokade/rivta/namespaces.hpp"
#include "writers.hpp"
#include "time_cache.hpp"
#include "xml_reader.hpp"
#include "xml_text.hpp"

namespace bokade::rivta {

namespace {

std::optional<UtcTime> read_time(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return detail::parse_time(text);
}

SourceStatus read_record(pugi::xml_node record) {
  SourceStatus s;
  std::optional<ProcessingStatusCode> code;
  bool from_cache = false;
  bool in_synch = false;
  for (pugi::xml_node c = record.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = detail::local_name(c);
    if (name == "logicalAddress") s.logical_address = detail::text_of(c);
    else if (name == "statusCode") code = processing_status_from_string(detail::text_of(c));
    else if (name == "isResponseFromCache") from_cache = detail::parse_boolean(detail::text_of(c)).value_or(false);
    else if (name == "isResponseInSynch") in_synch = detail::parse_boolean(detail::text_of(c)).value_or(false);
    else if (name == "lastSuccessfulSynch") s.last_success = read_time(detail::text_of(c));
    else if (name == "lastUnsuccessfulSynch") s.last_failure = read_time(detail::text_of(c));
    else if (name == "lastUnsuccessfulSynchError") {
      for (pugi::xml_node e = c.first_child(); e; e = e.next_sibling()) {
        const auto ename = detail::local_name(e);
        if (ename == "causingAgent") s.causing_agent = detail::text_of(e);
        else if (ename == "code") s.error_code = detail::text_of(e);
        else if (ename == "text") s.error_text = redact_person_ids(detail::text_of(e));
      }
    }
  }
  // An unknown status code is derived from the two flags, as the schema's table relates them.
  if (!code) {
    if (in_synch) code = from_cache ? ProcessingStatusCode::DataFromCache : ProcessingStatusCode::DataFromSource;
    else code = from_cache ? ProcessingStatusCode::DataFromCacheSynchFailed : ProcessingStatusCode::NoDataSynchFailed;
  }
  s.code = *code;
  return s;
}

}  // namespace

std::string_view causing_agent_on_wire(std::string_view causing_agent) noexcept {
  for (std::string_view v : {"service_catalog", "virtualization_platform", "service_producer", "engagement_index", "other"}) {
    if (causing_agent == v) return v;
  }
  if (causing_agent == "producer") return "service_producer";
  return "other";
}

ReadResult<std::vector<SourceStatus>> read_processing_status(std::string_view bytes, const ReaderLimits& limits) {
  auto parsed = detail::parse_message(bytes, limits);
  if (!parsed) return Unexpected<ReadError>{parsed.error()};
  const auto& message = **parsed;
  pugi::xml_node status;
  if (detail::local_name(message.payload) == "ProcessingStatus") status = message.payload;
  else status = detail::find_header(message, "ProcessingStatus", ns::interop_headers);
  return detail::processing_status_from_node(status);
}

namespace detail {

std::vector<SourceStatus> processing_status_from_node(pugi::xml_node status) {
  std::vector<SourceStatus> records;
  for (pugi::xml_node c = status.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == "ProcessingStatusList") records.push_back(read_record(c));
  }
  return records;
}

void write_processing_status(XmlWriter& w, std::span<const SourceStatus> records) {
  w.open("ProcessingStatus", {{"", ns::interop_headers}});
  for (const SourceStatus& s : records) {
    w.open("ProcessingStatusList");
    w.element("logicalAddress", s.logical_address);
    w.element("statusCode", to_string(s.code));
    w.boolean("isResponseFromCache", is_response_from_cache(s.code));
    w.boolean("isResponseInSynch", is_response_in_synch(s.code));
    // Mandatory in the schema even when there never was a success: then it is empty.
    w.element("lastSuccessfulSynch", s.last_success ? format_rivta_time(*s.last_success) : std::string{});
    if (!is_response_in_synch(s.code)) {
      if (s.last_failure) w.element("lastUnsuccessfulSynch", format_rivta_time(*s.last_failure));
      w.open("lastUnsuccessfulSynchError");
      w.element("causingAgent", causing_agent_on_wire(s.causing_agent));
      w.element("code", s.error_code.empty() ? std::string(to_string(s.last_outcome)) : s.error_code);
      w.element("text", redact_person_ids(s.error_text));
      w.close("lastUnsuccessfulSynchError");
    }
    w.close("ProcessingStatusList");
  }
  w.close("ProcessingStatus");
}

}  // namespace detail

std::string write_processing_status_element(std::span<const SourceStatus> records) {
  detail::XmlWriter w(256 + records.size() * 512);
  detail::write_processing_status(w, records);
  return std::move(w).take();
}

}  // namespace bokade::rivta
