// docs/api.yaml, checked as a client generator would rely on it (tests/view/check_openapi.py).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "process.hpp"

namespace {

constexpr const char* python = "/usr/bin/python3";  // Debian's, with python3-yaml and python3-jsonschema
const std::filesystem::path source_dir = BOKADE_SOURCE_DIR;

bokade::test::RunResult check(const std::filesystem::path& document) {
  return bokade::test::run({python, (source_dir / "tests/view/check_openapi.py").string(), document.string()});
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("docs/api.yaml is OpenAPI 3.0.3 with every query path, resolvable $refs and valid examples") {
  const auto r = check(source_dir / "docs/api.yaml");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.starts_with("ok: "));
}

TEST_CASE("the document check notices a dangling $ref, a missing path and an example that breaks its schema") {
  const std::string original = bokade::test::read_file(source_dir / "docs/api.yaml");
  const bokade::test::TempDir dir;

  std::string dangling = original;
  replace_once(dangling, "$ref: '#/components/schemas/SourceError'", "$ref: '#/components/schemas/SourceFault'");
  bokade::test::write_file(dir.path() / "dangling.yaml", dangling);
  auto r = check(dir.path() / "dangling.yaml");
  CHECK(r.status == 1);
  CHECK(r.output.find("$ref #/components/schemas/SourceFault does not resolve") != std::string::npos);

  std::string no_ics = original;
  replace_once(no_ics, "  /v1/persons/{personId}/appointments.ics:", "  /v1/persons/{personId}/calendar.ics:");
  bokade::test::write_file(dir.path() / "no_ics.yaml", no_ics);
  r = check(dir.path() / "no_ics.yaml");
  CHECK(r.status == 1);
  CHECK(r.output.find("GET /v1/persons/{personId}/appointments.ics is not described") != std::string::npos);

  std::string bad_example = original;
  replace_once(bad_example, "status: DataFromCacheSynchFailed", "status: Stale");
  bokade::test::write_file(dir.path() / "bad_example.yaml", bad_example);
  r = check(dir.path() / "bad_example.yaml");
  CHECK(r.status == 1);
  CHECK(r.output.find("schema Source: its example is invalid at ['status']") != std::string::npos);
}
