#pragma once
// Internal: the readers of each part of the file and the validator, shared by parse_config().

#include "bokade/config/config.hpp"
#include "errors.hpp"

namespace bokade::config::detail {

class TableReader;

// identity, listen, storage, logging, engagement_index, vp, tak, refresh, retention (parse_sections.cpp)
void read_service_sections(TableReader& root, Config& config);
// booking_system_defaults, booking_systems, regions, rules (parse_domain.cpp)
void read_domain_sections(TableReader& root, Config& config);
// every range and cross-key constraint (validate.cpp)
void validate_into(const Config& config, Errors& errors);

}  // namespace bokade::config::detail
