// Every validation constraint: each test names the key path and the broken constraint a user would read.
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "test_support.hpp"

using namespace bokade::config;
using bokade::config::test::all_errors;
using bokade::config::test::error_at;
using bokade::config::test::only_error;
using bokade::config::test::parse;

namespace {

// Two PEM-named files that exist (TLS checks read the paths, not the content).
struct TlsFiles {
  std::string certificate;
  std::string key;
  std::string ca;
};

TlsFiles tls_files() {
  const auto dir = std::filesystem::path(BOKADE_BINARY_DIR) / "test-config-scratch" / "tls";
  std::filesystem::create_directories(dir);
  TlsFiles files{(dir / "server.pem").string(), (dir / "server.key").string(), (dir / "ca.pem").string()};
  for (const auto& f : {files.certificate, files.key, files.ca}) std::ofstream(f) << "-----BEGIN TEST-----\n";
  return files;
}

constexpr std::string_view two_systems = R"(
[[booking_systems]]
name = "TakeCare"
source_systems = ["SE2321000016-A2BF"]
[[booking_systems]]
name = "Cosmic"
source_systems = ["SE2321000057-4LPF"]
)";

constexpr std::string_view one_region = R"(
[[regions]]
name = "Region Skåne"
organisation_number = "2321000255"
)";

}  // namespace

TEST_CASE("identity: HSA-ids") {
  CHECK(only_error("[identity]\nhsa_id = \"SE12 3\"\n", "identity.hsa_id") ==
        "is not a valid HSA-id: HSA-id has a character that is not allowed at position 5 (letters, digits, '-', '_', "
        "'.' only) (got \"SE12 3\")");
  CHECK(only_error("[identity]\nlogical_address = \"\"\n", "identity.logical_address") ==
        "is not a valid HSA-id: HSA-id is empty (got \"\")");
}

TEST_CASE("listen: addresses, loopback rule, ports and limits") {
  CHECK(only_error("[listen.query]\naddress = \"localhost\"\n", "listen.query.address") ==
        "must be an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1 (got \"localhost\")");
  CHECK(only_error("[listen.query]\naddress = \"0.0.0.0\"\n", "listen.query.address") ==
        "plain HTTP is allowed only on a loopback address (127.0.0.0/8 or ::1); bind to loopback or set "
        "listen.query.tls.enabled = true (got \"0.0.0.0\")");
  CHECK(only_error("[listen.admin]\naddress = \"10.1.2.3\"\n", "listen.admin.address")
            .find("set listen.admin.tls.enabled = true (got \"10.1.2.3\")") != std::string::npos);
  CHECK(parse("[listen.query]\naddress = \"::1\"\n[listen.admin]\naddress = \"127.0.0.2\"\n").has_value());
  CHECK(only_error("[listen.admin]\nport = 8080\n", "listen.admin.port") ==
        "must differ from listen.query.port (both 8080)");
  CHECK(parse("[listen.query]\nport = 0\n[listen.admin]\nport = 0\n").has_value());  // tests: any free port
  CHECK(only_error("[listen.query]\nmax_connections = 0\n", "listen.query.max_connections") ==
        "must be between 1 and 1000000 (got 0)");
  CHECK(only_error("[listen.query]\nrequest_timeout = \"10ms\"\n", "listen.query.request_timeout") ==
        "must be between 100ms and 1h (got 10ms)");
  CHECK(only_error("[listen.query]\nmax_body = \"100B\"\n", "listen.query.max_body") ==
        "must be between 1KiB and 1GiB (got 100B)");
  CHECK(only_error("[listen.query]\nmax_header = \"2MiB\"\n", "listen.query.max_header") ==
        "must be between 1KiB and 1MiB (got 2MiB)");
}

TEST_CASE("listen TLS: enabled needs readable certificate files; allowlist needs client certificates") {
  const auto result = parse("[listen.query]\naddress = \"0.0.0.0\"\n[listen.query.tls]\nenabled = true\n");
  INFO(all_errors(result));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().size() == 2);  // TLS makes the non-loopback address fine
  CHECK(error_at(result, "listen.query.tls.certificate") == "is required when listen.query.tls.enabled = true");
  CHECK(error_at(result, "listen.query.tls.private_key") == "is required when listen.query.tls.enabled = true");

  const auto missing = parse(
      "[listen.admin.tls]\nenabled = true\ncertificate = \"/nonexistent/admin.pem\"\n"
      "private_key = \"/nonexistent/admin.key\"\n");
  CHECK(error_at(missing, "listen.admin.tls.certificate") == "cannot read \"/nonexistent/admin.pem\": no such file");
  CHECK(error_at(missing, "listen.admin.tls.private_key") == "cannot read \"/nonexistent/admin.key\": no such file");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error()[0].line == 3);  // the certificate's own line

  const auto files = tls_files();
  const auto tls = fmt::format(
      "[listen.query]\naddress = \"0.0.0.0\"\n[listen.query.tls]\nenabled = true\n"
      "certificate = \"{}\"\nprivate_key = \"{}\"\n",
      files.certificate, files.key);
  const auto ok =
      parse(tls + fmt::format("client_ca = \"{}\"\nallowed_consumers = [\"SE165565594230-1000\"]\n", files.ca));
  INFO(all_errors(ok));
  CHECK(ok.has_value());
  CHECK(only_error(tls + "client_ca = \"/nonexistent/ca.pem\"\n", "listen.query.tls.client_ca") ==
        "cannot read \"/nonexistent/ca.pem\": no such file");
  CHECK(only_error(tls + "allowed_consumers = [\"SE165565594230-1000\"]\n", "listen.query.tls.allowed_consumers") ==
        "needs listen.query.tls.client_ca: consumers are identified by their client certificate");
  CHECK(only_error(tls + fmt::format("client_ca = \"{}\"\nallowed_consumers = [\"SE1-A\", \"bad id!\"]\n", files.ca),
                   "listen.query.tls.allowed_consumers[1]")
            .rfind("is not a valid HSA-id", 0) == 0);
  CHECK(only_error("[listen.query.tls]\nallowed_consumers = [\"SE165565594230-1000\"]\n",
                   "listen.query.tls.allowed_consumers") ==
        "needs listen.query.tls.enabled = true: consumers are identified by their client certificate");
  CHECK(only_error(fmt::format("[listen.query.tls]\nenabled = true\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
                               files.certificate, std::filesystem::path(files.key).parent_path().string()),
                   "listen.query.tls.private_key")
            .find("it is a directory") != std::string::npos);
}

TEST_CASE("storage and logging") {
  CHECK(only_error("[storage]\ndata_dir = \"\"\n", "storage.data_dir") == "is required (the RocksDB directory)");
  CHECK(only_error("[storage]\nblock_cache = \"512KiB\"\n", "storage.block_cache") ==
        "must be between 1MiB and 1TiB (got 512KiB)");
  const auto short_key = only_error("[logging]\nperson_hash_key = \"sekret\"\n", "logging.person_hash_key");
  CHECK(short_key == "must be empty (a random key per start) or at least 16 characters (got 6 characters)");
  CHECK(short_key.find("sekret") == std::string::npos);  // a secret is never echoed
}

TEST_CASE("URLs: scheme http or https, a host, a valid port, no credentials") {
  const auto url_error = [](std::string_view url) {
    return only_error(fmt::format("[engagement_index]\nfind_content_url = \"{}\"\n", url),
                      "engagement_index.find_content_url");
  };
  CHECK(url_error("ftp://ei.example/FindContent") == "must use the scheme http or https (got \"ftp\")");
  CHECK(url_error("127.0.0.1:9090/ei") == "must be an http:// or https:// URL (got \"127.0.0.1:9090/ei\")");
  CHECK(url_error("http://:9090/ei") == "has no host (got \"http://:9090/ei\")");
  CHECK(url_error("http://ei.example:99999/") == "has a bad port \"99999\" (1 to 65535)");
  CHECK(url_error("http://ei.example:/") == "has a bad port \"\" (1 to 65535)");
  CHECK(url_error("https://user:pw@ei.example/") ==
        "must not carry user credentials (user:password@); use client certificates");
  CHECK(url_error("http://ei example/") ==
        "must not contain spaces or control characters (got \"http://ei example/\")");
  CHECK(url_error("") == "is empty; an http:// or https:// URL is required");
  CHECK(parse("[vp]\nurl = \"https://[::1]:8443/vp\"\n").has_value());
  CHECK(only_error("[vp]\nurl = \"gopher://vp\"\n", "vp.url") == "must use the scheme http or https (got \"gopher\")");
}

TEST_CASE("engagement_index ranges") {
  CHECK(only_error("[engagement_index]\nlogical_address = \"a b\"\n", "engagement_index.logical_address")
            .rfind("is not a valid HSA-id", 0) == 0);
  CHECK(only_error("[engagement_index]\nnotification_max_transactions = 0\n",
                   "engagement_index.notification_max_transactions") == "must be between 1 and 100000 (got 0)");
  CHECK(only_error("[engagement_index]\npoll_interval = \"30s\"\n", "engagement_index.poll_interval") ==
        "must be between 1m and 30d (got 30s)");
  CHECK(only_error("[engagement_index]\npoll_jitter = 1.5\n", "engagement_index.poll_jitter") ==
        "must be at least 0 and at most 1 (got 1.5)");
  CHECK(only_error("[engagement_index]\nmax_calls_per_second = 0\n", "engagement_index.max_calls_per_second") ==
        "must be greater than 0 and at most 100000 (got 0)");
  CHECK(only_error("[engagement_index]\nmax_calls_per_second = nan\n", "engagement_index.max_calls_per_second") ==
        "must be greater than 0 and at most 100000 (got nan)");
  CHECK(only_error("[engagement_index]\nwatch_expiry = \"10m\"\n", "engagement_index.watch_expiry") ==
        "must be between 1h and 3650d (got 10m)");
}

TEST_CASE("vp timeouts, pool and client TLS") {
  CHECK(only_error("[vp]\nconnect_timeout = \"0s\"\n", "vp.connect_timeout") == "must be between 10ms and 1m (got 0s)");
  CHECK(only_error("[vp]\ncall_timeout = \"11m\"\nrefresh_deadline = \"20m\"\n", "vp.call_timeout") ==
        "must be between 100ms and 10m (got 11m)");
  CHECK(only_error("[vp]\nrefresh_deadline = \"5s\"\n", "vp.refresh_deadline") ==
        "must be at least vp.call_timeout (10s) (got 5s)");
  CHECK(only_error("[vp]\npool_size = 0\n", "vp.pool_size") == "must be between 1 and 10000 (got 0)");
  const auto files = tls_files();
  CHECK(only_error(fmt::format("[vp.tls]\ncertificate = \"{}\"\n", files.certificate), "vp.tls.private_key") ==
        "is required when vp.tls.certificate is set");
  CHECK(only_error(fmt::format("[vp.tls]\nprivate_key = \"{}\"\n", files.key), "vp.tls.certificate") ==
        "is required when vp.tls.private_key is set");
  CHECK(only_error("[vp.tls]\nca = \"/nonexistent/vp-ca.pem\"\n", "vp.tls.ca") ==
        "cannot read \"/nonexistent/vp-ca.pem\": no such file");
  CHECK(
      parse(fmt::format("[vp]\nurl = \"https://vp.example/vp\"\n[vp.tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n"
                        "ca = \"{}\"\n",
                        files.certificate, files.key, files.ca))
          .has_value());
}

TEST_CASE("tak source is a path or an http(s) URL") {
  CHECK(only_error("[tak]\nsource = \"\"\n", "tak.source") ==
        "is required: a file path or an http(s) URL of the TAK export");
  CHECK(only_error("[tak]\nsource = \"file:///etc/tak.json\"\n", "tak.source") ==
        "must use the scheme http or https (got \"file\")");
  CHECK(parse("[tak]\nsource = \"/var/lib/bokade/tak-export.json\"\n").has_value());
  CHECK(only_error("[tak]\nreload_interval = \"1s\"\n", "tak.reload_interval") ==
        "must be between 10s and 7d (got 1s)");
  CHECK(only_error("[tak]\nfetch_timeout = \"1h\"\n", "tak.fetch_timeout") == "must be between 1s and 10m (got 1h)");
}

TEST_CASE("refresh: concurrency, retries, backoff, breakers, freshness, wait") {
  CHECK(only_error("[refresh]\nmax_concurrency = 0\n", "refresh.max_concurrency") ==
        "must be between 1 and 10000 (got 0)");
  CHECK(only_error("[refresh]\nretries = 11\n", "refresh.retries") == "must be between 0 and 10 (got 11)");
  CHECK(only_error("[refresh]\nbackoff_initial = \"0s\"\n", "refresh.backoff_initial") ==
        "must be between 1ms and 1m (got 0s)");
  CHECK(only_error("[refresh]\nbackoff_max = \"50ms\"\n", "refresh.backoff_max") ==
        "must be at least refresh.backoff_initial (100ms) (got 50ms)");
  CHECK(only_error("[refresh]\nbreaker_failures = 0\n", "refresh.breaker_failures") ==
        "must be between 1 and 1000 (got 0)");
  CHECK(only_error("[refresh]\nbreaker_open_for = \"500ms\"\n", "refresh.breaker_open_for") ==
        "must be between 1s and 1h (got 500ms)");
  CHECK(only_error("[refresh]\nbreaker_max_open_share = -0.1\n", "refresh.breaker_max_open_share") ==
        "must be at least 0 and at most 1 (got -0.1)");
  CHECK(only_error("[refresh]\nfreshness = \"8d\"\n", "refresh.freshness") == "must be between 0s and 7d (got 8d)");
  CHECK(only_error("[refresh]\nquery_wait = \"20s\"\n", "refresh.query_wait") ==
        "must be at most refresh.query_wait_max (10s) (got 20s)");
  CHECK(only_error("[refresh]\nquery_wait_max = \"6m\"\n", "refresh.query_wait_max") ==
        "must be between 0s and 5m (got 6m)");
  CHECK(only_error("[refresh]\nview_cache_entries = 1000001\n", "refresh.view_cache_entries") ==
        "must be between 0 and 1000000 (got 1000001)");
  CHECK(only_error("[refresh]\nview_cache_ttl = \"11m\"\n", "refresh.view_cache_ttl") ==
        "must be between 0s and 10m (got 11m)");
}

TEST_CASE("booking systems: names, source systems and limits") {
  CHECK(only_error("[booking_system_defaults]\nrate_per_second = 0\n", "booking_system_defaults.rate_per_second") ==
        "must be greater than 0 and at most 100000 (got 0)");
  CHECK(only_error(std::string(two_systems) +
                       "[[booking_systems]]\nname = \"PMO\"\nsource_systems = [\"SE2321000255-P1\"]\n"
                       "rate_per_second = -1.0\n",
                   "booking_systems[2].rate_per_second") == "must be greater than 0 and at most 100000 (got -1)");
  CHECK(only_error(
            std::string(two_systems) + "[[booking_systems]]\nname = \"X\"\nsource_systems = [\"SE1-X\"]\nburst = 0\n",
            "booking_systems[2].burst") == "must be between 1 and 100000 (got 0)");
  CHECK(only_error(std::string(two_systems) + "[[booking_systems]]\nname = \"X\"\nsource_systems = [\"SE1-X\"]\n"
                                              "max_concurrency = 20000\n",
                   "booking_systems[2].max_concurrency") == "must be between 1 and 10000 (got 20000)");
  CHECK(only_error(
            std::string(two_systems) + "[[booking_systems]]\nname = \"takecare\"\nsource_systems = [\"SE1-X\"]\n",
            "booking_systems[2].name") == "duplicates booking_systems[0].name (\"takecare\"); names must be unique");
  CHECK(only_error("[[booking_systems]]\nsource_systems = [\"SE1-X\"]\n", "booking_systems[0].name") == "is required");
  CHECK(only_error("[[booking_systems]]\nname = \"Other\"\nsource_systems = [\"SE1-X\"]\n",
                   "booking_systems[0].name") == "\"other\" is reserved for clinics of no configured booking system");
  CHECK(only_error("[[booking_systems]]\nname = \"X\"\nsource_systems = []\n", "booking_systems[0].source_systems") ==
        "must list at least one EI sourceSystem HSA-id");
  CHECK(only_error("[[booking_systems]]\nname = \"X\"\nsource_systems = [\"SE1 X\"]\n",
                   "booking_systems[0].source_systems[0]")
            .rfind("is not a valid HSA-id", 0) == 0);
  CHECK(
      only_error(std::string(two_systems) + "[[booking_systems]]\nname = \"X\"\nsource_systems = [\"SE1-X\", "
                                            "\"se2321000057-4lpf\"]\n",
                 "booking_systems[2].source_systems[1]") ==
      "\"se2321000057-4lpf\" is already listed at booking_systems[1].source_systems[0]; a sourceSystem belongs to one "
      "booking system");

  const auto defaults = parse(
      "[booking_system_defaults]\nmax_concurrency = 7\nrate_per_second = 3\nburst = 9\n"
      "[[booking_systems]]\nname = \"X\"\nsource_systems = [\"SE1-X\"]\nburst = 11\n");
  REQUIRE(defaults.has_value());
  CHECK(defaults->booking_systems[0].limits == SourceLimits{7, 3.0, 11});
}

TEST_CASE("regions: organisation number, HSA prefix, unique names") {
  const auto ok = parse(one_region);
  REQUIRE(ok.has_value());
  CHECK(ok->regions[0].hsa_prefix == "SE2321000255");  // derived from the organisation number
  CHECK(only_error("[[regions]]\nname = \"R\"\norganisation_number = \"232100-0016\"\n",
                   "regions[0].organisation_number") ==
        "must be 10 digits without a dash, e.g. \"2321000016\" (got \"232100-0016\")");
  CHECK(only_error("[[regions]]\nname = \"R\"\norganisation_number = \"2321000017\"\n",
                   "regions[0].organisation_number") == "has a wrong check digit (Luhn) (got \"2321000017\")");
  CHECK(only_error("[[regions]]\nname = \"R\"\norganisation_number = \"2321000016\"\nhsa_prefix = \"SE 23\"\n",
                   "regions[0].hsa_prefix")
            .rfind("is not a valid HSA-id", 0) == 0);
  CHECK(only_error("[[regions]]\nname = \"R\"\n", "regions[0].organisation_number") ==
        "must be 10 digits without a dash, e.g. \"2321000016\" (got \"\")");
  CHECK(only_error(
            std::string(one_region) + "[[regions]]\nname = \"region skåne\"\norganisation_number = \"2321000016\"\n",
            "regions[1].name") == "duplicates regions[0].name (\"region skåne\"); names must be unique");
  CHECK(only_error(std::string(one_region) + "[[regions]]\nname = \"Other\"\norganisation_number = \"2321000016\"\n"
                                             "hsa_prefix = \"se2321000255\"\n",
                   "regions[1].hsa_prefix") == "\"se2321000255\" is already the prefix of regions[0].hsa_prefix");
}

TEST_CASE("rules: references, clinic ids and durations") {
  CHECK(only_error(std::string(one_region) + "[rules.region.\"Region Skane\"]\ncancel_cutoff = \"24h\"\n",
                   "rules.region.\"Region Skane\"") == "names no region in [[regions]] (known: \"Region Skåne\")");
  CHECK(only_error(std::string(two_systems) + "[rules.booking_system.Cosmc]\nhidden_time_types = [\"7\"]\n",
                   "rules.booking_system.Cosmc") ==
        "names no booking system in [[booking_systems]] (known: \"TakeCare\", \"Cosmic\")");
  CHECK(only_error("[rules.booking_system.X]\ncancel_cutoff = \"1h\"\n", "rules.booking_system.X") ==
        "names no booking system in [[booking_systems]] (known: none)");
  CHECK(only_error("[rules.default]\nexcluded_clinics = [\"SE2321000016-ABC\", \"#secret\"]\n",
                   "rules.default.excluded_clinics[1]")
            .rfind("is not a valid HSA-id", 0) == 0);
  CHECK(only_error("[rules.default]\nhidden_time_types = [\"\"]\n", "rules.default.hidden_time_types[0]") ==
        "must not be empty");
  CHECK(only_error(std::string(one_region) + "[rules.region.\"Region Skåne\"]\ncancel_cutoff = \"31d\"\n",
                   "rules.region.\"Region Skåne\".cancel_cutoff") == "must be between 0s and 30d (got 31d)");
  CHECK(only_error("[rules.default]\nrebook_cutoff = \"40d\"\n", "rules.default.rebook_cutoff") ==
        "must be between 0s and 30d (got 40d)");
  CHECK(only_error("[rules.default]\nshow_after_start = \"8d\"\n[retention]\nappointment_grace = \"8d\"\n",
                   "rules.default.show_after_start") == "must be between 0s and 7d (got 8d)");
}

TEST_CASE("retention must outlast every show_after_start") {
  CHECK(only_error("[retention]\nappointment_grace = \"1h\"\n", "retention.appointment_grace") ==
        "must be at least rules.default.show_after_start (2h), or appointments are purged while still shown (got 1h)");
  CHECK(only_error(std::string(two_systems) + "[rules.booking_system.Cosmic]\nshow_after_start = \"3h\"\n",
                   "retention.appointment_grace") ==
        "must be at least rules.booking_system.Cosmic.show_after_start (3h), or appointments are purged while still "
        "shown (got 2h)");
  CHECK(only_error("[retention]\npurge_interval = \"10s\"\n", "retention.purge_interval") ==
        "must be between 1m and 1d (got 10s)");
  CHECK(only_error("[retention]\nappointment_grace = \"31d\"\n", "retention.appointment_grace") ==
        "must be between 0s and 30d (got 31d)");
}

TEST_CASE("validate() checks a Config built in code, without positions") {
  Config config;
  config.refresh.max_concurrency = 0;
  config.listen.query.address = "192.0.2.1";
  const auto errors = validate(config);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].key_path == "listen.query.address");
  CHECK(errors[1].key_path == "refresh.max_concurrency");
  CHECK(to_string(errors[1]) == "refresh.max_concurrency: must be between 1 and 10000 (got 0)");
}
