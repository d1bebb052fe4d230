#include "bokade/core/appointment.hpp"

#include <cctype>

namespace bokade {

std::string appointment_identity(const Appointment& a) {
  std::string id;
  id.reserve(a.healthcare_facility.size() + 1 + a.booking_id.size());
  for (char c : a.healthcare_facility) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  id += '\0';
  id += a.booking_id;
  return id;
}

}  // namespace bokade
