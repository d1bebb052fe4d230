#include "schema_set.hpp"

#include <cstdlib>
#include <random>
#include <stdexcept>

#include "process.hpp"

namespace bokade::test {

namespace fs = std::filesystem;

namespace {

const fs::path shared_rivta = fs::path(BOKADE_SHARED_DIR) / "rivta";

// SOAP 1.1 envelope (W3C note, 2000, §4) reduced to what the tests need; written here because no copy
// of the official schema is among the shared files. Header and Body entries are validated *strictly*:
// every header and payload element must be declared by an imported contract schema.
constexpr std::string_view soap_envelope_xsd = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://schemas.xmlsoap.org/soap/envelope/"
           targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:element name="Envelope">
    <xs:complexType><xs:sequence>
      <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="Body"><xs:complexType><xs:sequence>
        <xs:any namespace="##any" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="Fault">
    <xs:complexType><xs:sequence>
      <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
      <xs:element name="faultstring" type="xs:string" form="unqualified"/>
      <xs:element name="faultactor" type="xs:anyURI" form="unqualified" minOccurs="0"/>
      <xs:element name="detail" form="unqualified" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
)";

std::string driver(std::initializer_list<std::pair<std::string_view, fs::path>> imports) {
  std::string xsd = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:bokade:test:driver">
)";
  for (const auto& [ns, location] : imports) {
    xsd += "  <xs:import namespace=\"" + std::string(ns) + "\" schemaLocation=\"" + location.string() + "\"/>\n";
  }
  xsd += "</xs:schema>\n";
  return xsd;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

}  // namespace

SchemaSet::SchemaSet() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("bokade-rivta-schemas-" + std::to_string(rd()));
  fs::create_directories(dir_);

  const fs::path crm = shared_rivta / "crm.scheduling/1.1/schemas";
  const fs::path fixed = dir_ / "crm-fixed";
  fs::copy(crm, fixed, fs::copy_options::recursive);
  // The crm schemas write the SubjectOfCareIdType pattern as "^[0-9]{8}[0-9pPtTfF][0-9]{3}$". XSD
  // patterns are implicitly anchored and know no ^ or $ anchors: here they are literal characters, so
  // the shipped schema accepts only "^191212121212$" and rejects every real personnummer. Validation
  // runs against this copy with the pattern as it was meant.
  const fs::path core = fixed / "core_components/crm_scheduling_1.1.xsd";
  std::string text = read_file(core);
  const std::string_view shipped = "^[0-9]{8}[0-9pPtTfF][0-9]{3}$";
  if (text.find(shipped) == std::string::npos) throw std::runtime_error("SubjectOfCareIdType pattern not found");
  replace_all(text, shipped, "[0-9]{8}[0-9pPtTfF][0-9]{3}");
  write_file(core, text);

  write_file(dir_ / "soap-envelope.xsd", std::string(soap_envelope_xsd));
  const fs::path envelope = dir_ / "soap-envelope.xsd";
  const fs::path gsc = "interactions/GetSubjectOfCareScheduleInteraction/GetSubjectOfCareScheduleResponder_1.1.xsd";
  const fs::path ei = shared_rivta / "itintegration/engagementindex/schemas/TD_ENGAGEMENTINDEX_1_0_R/interactions";
  const fs::path agp_headers = shared_rivta / "agp/interoperability_headers_1.0.xsd";

  auto write_driver = [&](std::string_view name, std::string xsd) { write_file(dir_ / (std::string(name) + ".xsd"), xsd); };
  write_driver("schedule", driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope},
                                   {"urn:riv:itintegration:registry:1", fixed / "core_components/itintegration_registry_1.0.xsd"},
                                   {"urn:riv:interoperability:headers:1", fixed / "core_components/interoperability_headers_1.0.xsd"},
                                   {"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1", fixed / gsc}}));
  write_driver("schedule_unfixed", driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope},
                                           {"urn:riv:itintegration:registry:1", crm / "core_components/itintegration_registry_1.0.xsd"},
                                           {"urn:riv:interoperability:headers:1", crm / "core_components/interoperability_headers_1.0.xsd"},
                                           {"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1", crm / gsc}}));
  write_driver("schedule_agp", driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope},
                                       {"urn:riv:itintegration:registry:1", fixed / "core_components/itintegration_registry_1.0.xsd"},
                                       {"urn:riv:interoperability:headers:1", agp_headers},
                                       {"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1", fixed / gsc}}));
  write_driver("find_content", driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope},
                                       {"urn:riv:itintegration:registry:1", fixed / "core_components/itintegration_registry_1.0.xsd"},
                                       {"urn:riv:itintegration:engagementindex:FindContentResponder:1",
                                        ei / "FindContentInteraction/FindContentResponder_1.0.xsd"}}));
  write_driver("process_notification",
               driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope},
                       {"urn:riv:itintegration:registry:1", fixed / "core_components/itintegration_registry_1.0.xsd"},
                       {"urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1",
                        ei / "ProcessNotificationInteraction/ProcessNotificationResponder_1.0.xsd"}}));
  write_driver("fault", driver({{"http://schemas.xmlsoap.org/soap/envelope/", envelope}}));
  write_driver("processing_status", driver({{"urn:riv:interoperability:headers:1", agp_headers}}));
}

SchemaSet::~SchemaSet() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Validation SchemaSet::validate(std::string_view driver_name, std::string_view xml) const {
  const int n = ++counter_;
  const fs::path doc = dir_ / ("doc-" + std::to_string(n) + ".xml");
  const fs::path out = dir_ / ("doc-" + std::to_string(n) + ".out");
  write_file(doc, std::string(xml));
  const std::string command = "xmllint --noout --nonet --schema '" + (dir_ / (std::string(driver_name) + ".xsd")).string() +
                              "' '" + doc.string() + "' > '" + out.string() + "' 2>&1";
  const int rc = std::system(command.c_str());
  Validation v;
  v.valid = rc == 0;
  v.output = read_file(out);
  return v;
}

}  // namespace bokade::test
