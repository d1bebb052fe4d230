#pragma once
// Shared by the TAK tests: the real exports under ../shared/rivta and instants written as TAK writes them.

#include <string>
#include <string_view>

#include "bokade/core/rivta_time.hpp"

namespace bokade::tak::test {

// …/itintegration/tak/export/<name>
std::string export_path(std::string_view name);
// The file's bytes; fails the test when it cannot be read.
std::string read_text(const std::string& path);
inline std::string current_export() { return read_text(export_path("export.json")); }
inline std::string legacy_export() {
  return read_text(export_path("takdump_ntjp_test.json-from-tak-export.json.original.before.transform"));
}
// An instant written as in the export, e.g. "2009-03-10T00:00:00+0100"; fails the test when unreadable.
UtcTime at(std::string_view text);
// A fresh empty directory under the build tree for one test.
std::string scratch_dir(std::string_view name);

}  // namespace bokade::tak::test
