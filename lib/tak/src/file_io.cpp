#include "file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace bokade::tak::detail {
namespace {

std::string why(int err) { return std::error_code(err, std::generic_category()).message(); }

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Expected<std::string> read_file(const std::string& path, std::uint64_t max_bytes) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return fail(fmt::format("cannot open {}: {}", path, why(errno)));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const auto n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(fmt::format("cannot read {}: {}", path, why(errno)));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return fail(fmt::format("{} is larger than {} bytes", path, max_bytes));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status write_file_atomically(const std::string& path, const std::string& content) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path target(path);
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));

  // A unique temporary name, so that two writers never share one half-written file.
  const auto tmp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), counter.fetch_add(1));
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return fail(fmt::format("cannot create {}: {}", tmp, why(errno)));
    std::size_t done = 0;
    while (done < content.size()) {
      const auto n = ::write(f.fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::unlink(tmp.c_str());
        return fail(fmt::format("cannot write {}: {}", tmp, why(err)));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return fail(fmt::format("cannot fsync {}: {}", tmp, why(err)));
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(fmt::format("cannot rename {} to {}: {}", tmp, path, why(err)));
  }
  // Make the rename itself durable.
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
  return {};
}

}  // namespace bokade::tak::detail
