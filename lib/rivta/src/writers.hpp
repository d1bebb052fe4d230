#pragma once
// Pieces one writer lends another (internal).

#include <span>

#include "bokade/core/source_status.hpp"
#include "xml_writer.hpp"

namespace bokade::rivta::detail {

// <ProcessingStatus xmlns="urn:riv:interoperability:headers:1">…</ProcessingStatus>
void write_processing_status(XmlWriter& w, std::span<const SourceStatus> records);

}  // namespace bokade::rivta::detail
