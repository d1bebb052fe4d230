// The query listener over HTTPS, as a consumer on the national platform meets it: a client certificate
// from the configured CA, an allowlist of consumer HSA-ids (the certificate subject's serialNumber), and
// an allowlist change applied by SIGHUP. Certificates are made by the test (tests/support/test_pki.hpp).

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <csignal>

#include "daemon_support.hpp"
#include "process.hpp"
#include "test_pki.hpp"

using namespace bokade::test;
using namespace std::chrono_literals;

namespace {

std::string tls_config(const std::filesystem::path& data_dir, const std::string& allowed) {
  return daemon_config(data_dir) + fmt::format(R"(
[listen.query.tls]
enabled = true
certificate = "{}"
private_key = "{}"
client_ca = "{}"
allowed_consumers = [{}]
)",
                                               pki().pem("server"), pki().key("server"), pki().pem("ca"), allowed);
}

struct Curl {
  int exit = -1;
  std::string status;  // "<code>" when a response came
  std::string body;
};

// curl as a consumer runs it; `who` = "" presents no client certificate.
Curl curl(const std::string& url, const std::string& who) {
  TempDir dir;
  const auto body = (dir.path() / "body").string();
  std::vector<std::string> argv{"curl", "-sS", "--noproxy", "*", "--max-time", "5", "--cacert", pki().pem("ca"),
                                "-o", body, "-w", "%{http_code}"};
  if (!who.empty()) argv.insert(argv.end(), {"--cert", pki().pem(who), "--key", pki().key(who)});
  argv.push_back(url);
  auto r = run(argv);
  return {r.status, r.output, read_file(body)};
}

}  // namespace

TEST_CASE("the query listener serves allowed consumers over TLS, refuses the rest, and reloads its allowlist") {
  TempDir dir;
  Daemon d(dir.path(), tls_config(dir.path() / "data", fmt::format("\"{}\"", allowed_hsa_id)));
  REQUIRE_MESSAGE(d.wait_ready(), d.log());
  const auto url = "https://" + d.query + "/v1/persons/191212121212/appointments?wait=0s";

  auto allowed = curl(url, "allowed");
  CHECK(allowed.exit == 0);
  CHECK(allowed.status == "200");
  CHECK(allowed.body.find("\"person\":\"19121212-****\"") != std::string::npos);

  auto other = curl(url, "other");
  CHECK(other.status == "403");
  CHECK(other.body.find(std::string(other_hsa_id)) != std::string::npos);  // says who was refused

  CHECK(curl(url, "").exit != 0);          // no certificate: no answer
  CHECK(curl(url, "stranger").exit != 0);  // a CA the daemon does not trust
  auto plain = run({"curl", "-sS", "--noproxy", "*", "--max-time", "5", "http://" + d.query + "/healthz"});
  CHECK(plain.output.find("ok") == std::string::npos);  // plain HTTP on the TLS port gets nothing

  // The operators' listener stays plain HTTP on loopback.
  CHECK(run({"curl", "-sS", "--noproxy", "*", "--max-time", "5", "http://" + d.admin + "/healthz"}).output == "ok\n");

  // SIGHUP with the other consumer added: served without a restart.
  write_file(d.config_path, tls_config(dir.path() / "data", fmt::format("\"{}\", \"{}\"", allowed_hsa_id, other_hsa_id)));
  d.process->signal(SIGHUP);
  CHECK(eventually([&] { return curl(url, "other").status == "200"; }, 5s));
  CHECK(curl(url, "allowed").status == "200");

  // A TLS file that cannot be read stops the start with a message naming it.
  TempDir bad_dir;
  auto bad_config = tls_config(bad_dir.path() / "data", "");
  const auto key = pki().key("server");
  bad_config.replace(bad_config.find(key), key.size(), (bad_dir.path() / "missing.key").string());
  Daemon bad(bad_dir.path(), bad_config);
  const auto exit = bad.process->wait(10s);
  REQUIRE(exit.has_value());
  CHECK(*exit != 0);
  CHECK_MESSAGE(bad.log().find("missing.key") != std::string::npos, bad.log());
  CHECK_FALSE(std::filesystem::exists(bad.ready_path));
}
