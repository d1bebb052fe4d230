#include "schema_check.hpp"

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace bokade::sim::test {
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// SOAP 1.1 envelope reduced to what validation needs (no official copy is among the shared files);
// Header and Body entries are validated strictly against the imported contract schemas.
constexpr std::string_view envelope_xsd = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://schemas.xmlsoap.org/soap/envelope/"
           elementFormDefault="qualified">
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence>
      <xs:any namespace="##any" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="Fault"><xs:complexType><xs:sequence>
    <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
    <xs:element name="faultstring" type="xs:string" form="unqualified"/>
    <xs:element name="faultactor" type="xs:anyURI" form="unqualified" minOccurs="0"/>
    <xs:element name="detail" form="unqualified" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
)";

std::string driver(std::initializer_list<std::pair<std::string_view, fs::path>> imports) {
  std::string xsd = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                    "targetNamespace=\"urn:bokade:sim:test:driver\">\n";
  for (const auto& [ns, location] : imports) {
    xsd += "  <xs:import namespace=\"" + std::string(ns) + "\" schemaLocation=\"" + location.string() + "\"/>\n";
  }
  return xsd + "</xs:schema>\n";
}

}  // namespace

Schemas::Schemas() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("bokade-sim-schemas-" + std::to_string(rd()));
  const fs::path rivta = fs::path(BOKADE_SHARED_DIR) / "rivta";
  const fs::path crm = dir_ / "crm";
  fs::create_directories(dir_);
  fs::copy(rivta / "crm.scheduling/1.1/schemas", crm, fs::copy_options::recursive);
  const fs::path core = crm / "core_components/crm_scheduling_1.1.xsd";
  std::string text = read(core);
  const std::string_view shipped = "^[0-9]{8}[0-9pPtTfF][0-9]{3}$";
  const auto pos = text.find(shipped);
  if (pos == std::string::npos) throw std::runtime_error("SubjectOfCareIdType pattern not found in the crm schema");
  text.replace(pos, shipped.size(), "[0-9]{8}[0-9pPtTfF][0-9]{3}");
  write(core, text);
  write(dir_ / "envelope.xsd", envelope_xsd);

  const fs::path env = dir_ / "envelope.xsd";
  const fs::path registry = crm / "core_components/itintegration_registry_1.0.xsd";
  const fs::path ei = rivta / "itintegration/engagementindex/schemas/TD_ENGAGEMENTINDEX_1_0_R/interactions";
  constexpr std::string_view soap = "http://schemas.xmlsoap.org/soap/envelope/";
  constexpr std::string_view reg = "urn:riv:itintegration:registry:1";
  write(dir_ / "schedule.xsd",
        driver({{soap, env}, {reg, registry},
                {"urn:riv:interoperability:headers:1", crm / "core_components/interoperability_headers_1.0.xsd"},
                {"urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1",
                 crm / "interactions/GetSubjectOfCareScheduleInteraction/GetSubjectOfCareScheduleResponder_1.1.xsd"}}));
  write(dir_ / "find_content.xsd",
        driver({{soap, env}, {reg, registry},
                {"urn:riv:itintegration:engagementindex:FindContentResponder:1",
                 ei / "FindContentInteraction/FindContentResponder_1.0.xsd"}}));
  write(dir_ / "process_notification.xsd",
        driver({{soap, env}, {reg, registry},
                {"urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1",
                 ei / "ProcessNotificationInteraction/ProcessNotificationResponder_1.0.xsd"}}));
  write(dir_ / "fault.xsd", driver({{soap, env}}));
}

Schemas::~Schemas() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Validation Schemas::validate(std::string_view kind, std::string_view xml) const {
  const int n = ++counter_;
  const fs::path doc = dir_ / ("doc-" + std::to_string(n) + ".xml");
  const fs::path out = dir_ / ("doc-" + std::to_string(n) + ".out");
  write(doc, xml);
  const std::string command = "xmllint --noout --nonet --schema '" + (dir_ / (std::string(kind) + ".xsd")).string() +
                              "' '" + doc.string() + "' > '" + out.string() + "' 2>&1";
  Validation v;
  v.valid = std::system(command.c_str()) == 0;
  v.output = read(out);
  return v;
}

}  // namespace bokade::sim::test
