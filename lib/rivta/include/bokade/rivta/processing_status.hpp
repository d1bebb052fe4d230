#pragma once
// The aggregating platform's ProcessingStatus SOAP header (agp/interoperability_headers_1.0.xsd):
// one record per logical address. bokade writes it on its own GetSubjectOfCareScheduleResponse and
// reads it (for tests, and to compare with the reference implementation).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/source_status.hpp"
#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta {

// The schema's CausingAgentEnum value for SourceStatus::causing_agent: the five schema values pass
// through, "producer" becomes "service_producer", anything else "other".
std::string_view causing_agent_on_wire(std::string_view causing_agent) noexcept;

// Reads every ProcessingStatusList record of the first ProcessingStatus element found in the SOAP
// header, or of a bare ProcessingStatus document. Absent header = empty list.
// last_outcome is left at ok; error_code/error_text/causing_agent come from lastUnsuccessfulSynchError.
ReadResult<std::vector<SourceStatus>> read_processing_status(std::string_view bytes,
                                                             const ReaderLimits& limits = {});

// The ProcessingStatus element alone (namespace declared on it), schema-valid:
// lastSuccessfulSynch is always present (empty when there never was a success — the reference
// implementation omits it, which the schema forbids); lastUnsuccessfulSynch and the error are
// written only for records that are not in synch.
std::string write_processing_status_element(std::span<const SourceStatus> records);

}  // namespace bokade::rivta
