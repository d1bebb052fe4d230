#include "process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace bokade::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bokade-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

pid_t spawn(const std::vector<std::string>& argv, int out_fd, int in_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

}  // namespace

Process::Process(std::vector<std::string> argv, const std::filesystem::path& log_file) {
  const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_file.string());
  pid_ = spawn(argv, fd, -1);
  ::close(fd);
}

Process::~Process() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    (void)wait(std::chrono::seconds(5));
  }
}

void Process::signal(int signo) const { ::kill(pid_, signo); }

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int raw = 0;
    const pid_t r = ::waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = decode_status(raw);
      return status_;
    }
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Process::running() { return !wait(std::chrono::milliseconds(0)).has_value() && pid_ > 0; }

RunResult run(std::vector<std::string> argv, const std::string& stdin_text) {
  TempDir dir;
  const auto out_path = dir.path() / "out";
  const auto in_path = dir.path() / "in";
  write_file(in_path, stdin_text);
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in_fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  const pid_t pid = spawn(argv, out_fd, in_fd);
  ::close(out_fd);
  ::close(in_fd);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  return {decode_status(raw), read_file(out_path)};
}

std::uint16_t free_port() {
  // Below Linux's ephemeral range (32768–60999 by default): a port the kernel hands out for port 0 is
  // also what it hands out as the local port of outgoing connections, so between this check and the
  // daemon's bind a test's own HTTP client could take it (seen as "Address already in use"). A random
  // port from 20000–32767 is taken by nothing but another test's listener, and is checked free here.
  static thread_local std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 32767);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(pick(random)));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return ntohs(a.sin_port);
  }
  throw std::runtime_error("no free loopback port in 20000-32767");
}

std::optional<double> metric_sample(const std::string& exposition, const std::string& series) {
  const std::string line_start = series + " ";
  for (std::size_t at = exposition.find(line_start); at != std::string::npos;
       at = exposition.find(line_start, at + 1)) {
    if (at == 0 || exposition[at - 1] == '\n') return std::stod(exposition.substr(at + line_start.size()));
  }
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

bool wait_for_file(const std::filesystem::path& p, std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        std::error_code ec;
        return std::filesystem::exists(p, ec) && std::filesystem::file_size(p, ec) > 0;
      },
      timeout);
}

}  // namespace bokade::test
