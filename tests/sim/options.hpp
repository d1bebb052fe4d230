#pragma once
// bokade-sim's command line: every option, its default and its meaning (printed by --help).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bokade/core/expected.hpp"
#include "engagement_index.hpp"
#include "faults.hpp"
#include "producer.hpp"
#include "virtualization_platform.hpp"
#include "world.hpp"

namespace bokade::sim {

struct SystemOverride {
  std::string system;  // a system id, or "*" for every system
  std::optional<FaultMode> mode;
  std::optional<Latency> latency;
  std::optional<double> error_rate;
};

struct SimOptions {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 9090;
  std::string ready_file;
  unsigned threads = 1;
  std::string log_level = "info";
  WorldOptions world;
  std::string consumer = "SE5565594230-BOKADE";
  std::string ei_logical_address = "5565594230";
  std::string ei_owner = "SE5565594230-EI";
  VpSettings vp;
  ProducerSettings producer;
  std::vector<SystemOverride> overrides;
  PushSettings push;
  bool replay_on_start = false;
  std::string write_tak;
  std::string write_relations;
};

struct ParsedOptions {
  SimOptions options;
  bool help = false;
  std::string help_text;
};

Expected<ParsedOptions> parse_options(int argc, char** argv);

}  // namespace bokade::sim
