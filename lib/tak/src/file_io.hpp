#pragma once
// Whole-file reads with a size cap and crash-safe replacement of a file. Private to lib/tak.

#include <cstdint>
#include <string>

#include "bokade/core/expected.hpp"

namespace bokade::tak::detail {

// The file's bytes; fails with the path and the system's reason, or when it exceeds max_bytes.
Expected<std::string> read_file(const std::string& path, std::uint64_t max_bytes);

// Replaces `path` with `content` so that a crash leaves either the old or the new file, never a mix:
// write to a temporary file beside it, fsync, rename over, fsync the directory. Creates missing directories.
Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace bokade::tak::detail
