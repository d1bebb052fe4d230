#pragma once
// Reads the TAK export JSON into flat, resolved records (ids already followed). Private to lib/tak.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/expected.hpp"
#include "bokade/tak/tak_snapshot.hpp"

namespace bokade::tak::detail {

struct ExportPermission {
  std::int64_t id = 0;
  std::string consumer;         // tjanstekomponent.hsaId
  std::string contract;         // tjanstekontrakt.namnrymd
  std::string logical_address;  // logiskadress.hsaId, possibly "*"
  Validity validity;
};

struct ExportRoute {
  std::int64_t id = 0;
  std::string contract;
  std::string logical_address;
  std::string url;
  std::string rivta_profile;
  std::string producer;
  Validity validity;
};

struct ParsedExport {
  std::optional<UtcTime> export_time;
  ExportFormat format = ExportFormat::current;
  TakCounts counts;
  std::vector<ExportPermission> permissions;
  std::vector<ExportRoute> routes;
};

Expected<ParsedExport> read_export(std::string_view json_text);

}  // namespace bokade::tak::detail
