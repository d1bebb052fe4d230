#pragma once
// Test support: a throw-away PKI made with the openssl CLI — a CA, a server certificate for 127.0.0.1 and
// client certificates whose subject carries an HSA-id as serialNumber (as on the national platform), one
// without, one from an unknown CA and one that expires at once. Made once per test executable.

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "process.hpp"

namespace bokade::test {

inline constexpr std::string_view allowed_hsa_id = "SE2321000016-ABCD";
inline constexpr std::string_view other_hsa_id = "SE5565594230-EVIL";

inline void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const auto r = run(args);
  if (r.status != 0) throw std::runtime_error("openssl " + args[1] + " failed: " + r.output);
}

// The throw-away PKI, made once for all test cases.
class Pki {
 public:
  Pki() {
    make_ca("ca");
    make_ca("other_ca");
    make_leaf("server", "ca", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    make_leaf("allowed", "ca", "/O=Region Test/CN=Booking viewer/serialNumber=" + std::string(allowed_hsa_id));
    make_leaf("other", "ca", "/O=Somebody else/CN=Scraper/serialNumber=" + std::string(other_hsa_id));
    make_leaf("anonymous", "ca", "/O=Region Test/CN=No serial number");
    // The allowed HSA-id, but signed by a CA the server does not trust.
    make_leaf("stranger", "other_ca", "/CN=Impostor/serialNumber=" + std::string(allowed_hsa_id));
    // Valid from now to now: expired one second later (openssl x509 cannot back-date).
    make_leaf("expired", "ca", "/CN=Expired/serialNumber=" + std::string(allowed_hsa_id), "", "0");
    expired_after_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(1100);
  }

  [[nodiscard]] std::string pem(std::string_view name) const { return file(name, ".pem"); }
  [[nodiscard]] std::string key(std::string_view name) const { return file(name, ".key"); }
  [[nodiscard]] std::string file(std::string_view name, std::string_view ext = "") const {
    return (dir_.path() / (std::string(name) + std::string(ext))).string();
  }
  void wait_until_expired() const { std::this_thread::sleep_until(expired_after_); }

 private:
  void make_ca(const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name),
             "-out", pem(name), "-subj", "/CN=bokade test " + name, "-days", "2"});
  }
  void make_leaf(const std::string& name, const std::string& ca, const std::string& subject,
                 std::string extensions = "", const std::string& days = "2") {
    if (extensions.empty()) extensions = "extendedKeyUsage=clientAuth\n";
    write_file(file(name, ".ext"), "basicConstraints=CA:FALSE\n" + extensions);
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name),
             "-out", file(name, ".csr"), "-subj", subject});
    openssl({"x509", "-req", "-in", file(name, ".csr"), "-CA", pem(ca), "-CAkey", key(ca), "-CAcreateserial", "-out",
             pem(name), "-days", days, "-extfile", file(name, ".ext")});
  }

  TempDir dir_;
  std::chrono::steady_clock::time_point expired_after_;
};

inline const Pki& pki() {
  static const Pki p;
  return p;
}

}  // namespace bokade::test
