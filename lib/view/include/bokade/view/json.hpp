#pragma once
// The JSON body of GET /v1/persons/{personId}/appointments (schema PersonAppointments in docs/api.yaml).
// Times are ISO 8601 with the Stockholm offset; absent strings and empty objects are left out, never sent
// empty; malformed UTF-8 from a producer becomes U+FFFD, so the body is always valid JSON.

#include <string>

#include "bokade/core/person_id.hpp"
#include "bokade/view/person_view.hpp"

namespace bokade::view {

// The person appears only as PersonId::masked().
std::string to_json(const PersonView& view, const PersonId& person);

}  // namespace bokade::view
