// What the running daemon asks of its config: reload rules, the start-up summary, rule and region lookups.
#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace bokade::config;

TEST_CASE("keys_needing_restart names exactly the changed keys a reload cannot apply") {
  const Config old_config;
  CHECK(keys_needing_restart(old_config, old_config).empty());

  Config next = old_config;
  next.listen.query.port = 9443;
  next.storage.data_dir = "/var/lib/bokade";
  next.listen.query.tls.certificate = "/etc/bokade/new.pem";
  next.refresh.max_concurrency = 10;
  // Reloadable changes are not listed:
  next.logging.level = LogLevel::debug;
  next.refresh.retries = 5;
  next.listen.query.tls.allowed_consumers = {"SE165565594230-1000"};
  next.rules.defaults.cancel_cutoff = 24h;
  next.booking_systems.push_back({"X", {"SE1-X"}, {}});

  CHECK(keys_needing_restart(old_config, next) ==
        std::vector<std::string>{"listen.query.port", "listen.query.tls.certificate", "storage.data_dir",
                                 "refresh.max_concurrency"});

  Config changed_secret = old_config;
  changed_secret.logging.person_hash_key = "0123456789abcdef-new";
  CHECK(keys_needing_restart(old_config, changed_secret) == std::vector<std::string>{"logging.person_hash_key"});
}

TEST_CASE("keep_restart_keys keeps the old values of restart keys and applies the rest") {
  Config old_config;
  Config next = old_config;
  next.listen.admin.port = 9999;
  next.identity.hsa_id = "SE5565594230-OTHER";
  next.logging.level = LogLevel::warn;
  next.refresh.freshness = 1min;
  const Config applied = keep_restart_keys(old_config, next);
  CHECK(applied.listen.admin.port == old_config.listen.admin.port);
  CHECK(applied.identity.hsa_id == old_config.identity.hsa_id);
  CHECK(applied.logging.level == LogLevel::warn);
  CHECK(applied.refresh.freshness == 1min);
  CHECK(keys_needing_restart(old_config, applied).empty());
}

TEST_CASE("describe summarises without secrets") {
  Config config;
  config.logging.person_hash_key = "very-secret-hash-key-0001";
  config.listen.query.address = "0.0.0.0";
  config.listen.query.tls = {
      true, "/etc/bokade/query.pem", "/etc/bokade/query-private.key", "/etc/bokade/ca.pem", {"SE165565594230-1000"}};
  config.vp.tls = {"/etc/bokade/vp-client.pem", "/etc/bokade/vp-client-private.key", ""};
  config.booking_systems.push_back({"Cosmic", {"SE2321000057-4LPF"}, {48, 100.0, 100}});
  const std::string text = describe(config);
  INFO(text);
  CHECK(text.find("query listener: 0.0.0.0:8080 (TLS, certificate /etc/bokade/query.pem, consumers allowed: "
                  "SE165565594230-1000)") != std::string::npos);
  CHECK(text.find("admin listener: 127.0.0.1:8081 (plain HTTP, loopback)") != std::string::npos);
  CHECK(text.find("person hash key set") != std::string::npos);
  CHECK(text.find("booking system Cosmic: 1 source system(s), 48 concurrent, 100/s burst 100") != std::string::npos);
  CHECK(text.find("very-secret") == std::string::npos);
  CHECK(text.find("private") == std::string::npos);  // no private key path either
}

TEST_CASE("resolve_rules: lists add up, region durations win over booking-system ones") {
  Rules rules;
  rules.defaults.cancel_cutoff = 0s;
  rules.regions.push_back(
      {"Region Skåne", std::nullopt, std::vector<std::string>{"SE2321000255-HIDE"}, 24h, std::nullopt, std::nullopt});
  rules.booking_systems.push_back(
      {"Cosmic", std::vector<std::string>{"7", "Administration"}, std::nullopt, 1h, 2h, 3h});

  const RuleSet skane_cosmic = resolve_rules(rules, "region skåne", "COSMIC");
  CHECK(skane_cosmic.hidden_time_types == std::vector<std::string>{"Administration", "Dölj i 1177", "7"});
  CHECK(skane_cosmic.excluded_clinics == std::vector<std::string>{"SE2321000255-HIDE"});
  CHECK(skane_cosmic.cancel_cutoff == 24h);    // region
  CHECK(skane_cosmic.rebook_cutoff == 2h);     // booking system (region leaves it out)
  CHECK(skane_cosmic.show_after_start == 3h);  // booking system

  CHECK(resolve_rules(rules, "", "") == rules.defaults);
  CHECK(resolve_rules(rules, "Region Stockholm", "TakeCare") == rules.defaults);
}

TEST_CASE("region_of takes the longest matching HSA prefix; booking_system_of matches source systems") {
  Config config;
  config.regions.push_back({"Region Stockholm", "2321000016", "SE2321000016"});
  config.regions.push_back({"A unit with its own prefix", "2321000016", "SE2321000016-A2"});
  config.booking_systems.push_back({"TakeCare", {"SE2321000016-A2BF"}, {}});
  REQUIRE(region_of(config, "se2321000016-1hz3") != nullptr);
  CHECK(region_of(config, "se2321000016-1hz3")->name == "Region Stockholm");
  CHECK(region_of(config, "SE2321000016-A2LK")->name == "A unit with its own prefix");
  CHECK(region_of(config, "SE2321000131-E1002") == nullptr);
  REQUIRE(booking_system_of(config, "se2321000016-a2bf") != nullptr);
  CHECK(booking_system_of(config, "se2321000016-a2bf")->name == "TakeCare");
  CHECK(booking_system_of(config, "SE2321000016-A21Q") == nullptr);
}
