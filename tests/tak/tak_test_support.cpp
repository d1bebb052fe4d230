#include "tak_test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bokade/tak/tak_snapshot.hpp"

namespace bokade::tak::test {

std::string export_path(std::string_view name) {
  return std::string(BOKADE_SHARED_DIR) + "/rivta/itintegration/tak/export/" + std::string(name);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

UtcTime at(std::string_view text) {
  auto t = parse_tak_time(text);
  REQUIRE_MESSAGE(t.has_value(), text);
  return *t;
}

std::string scratch_dir(std::string_view name) {
  const auto dir = std::filesystem::path(BOKADE_BINARY_DIR) / "tests" / "tak-scratch" / std::string(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace bokade::tak::test
