#pragma once
// Engagement index 1.0 (TD_ENGAGEMENTINDEX_1_0_R): FindContent (bokade asks), ProcessNotification
// (EI pushes, bokade answers). The writers for the EI side (FindContentResponse, ProcessNotification
// request) serve the simulator. Reading is lenient as everywhere (missing fields are empty); writing
// is strict and schema-valid.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/engagement.hpp"
#include "bokade/core/expected.hpp"
#include "bokade/rivta/soap_envelope.hpp"

namespace bokade::rivta {

struct FindContentRequest {
  std::string logical_address;                   // header: the engagement index's logical address
  std::string registered_resident_identification;  // mandatory, 12 characters
  std::string service_domain;                    // mandatory, e.g. "riv:crm:scheduling"
  // Optional filters; empty = not sent.
  std::string categorization;
  std::string logical_address_filter;            // body element logicalAddress
  std::string business_object_instance_identifier;
  std::string clinical_process_interest_id;
  std::string source_system;
  std::string data_controller;
  std::string owner;

  friend bool operator==(const FindContentRequest&, const FindContentRequest&) = default;
};

struct EngagementTransaction {
  bool delete_flag = false;
  Engagement engagement;

  friend bool operator==(const EngagementTransaction&, const EngagementTransaction&) = default;
};

struct ProcessNotification {
  std::string logical_address;  // header: the subscriber's logical address
  std::vector<EngagementTransaction> transactions;
  std::size_t unreadable_values = 0;
};

enum class ResultCode : unsigned char { ok, error, info };

struct ProcessNotificationResult {
  ResultCode result = ResultCode::ok;
  std::string comment;

  friend bool operator==(const ProcessNotificationResult&, const ProcessNotificationResult&) = default;
};

// --- reading ---
ReadResult<std::vector<Engagement>> read_find_content_response(std::string_view bytes,
                                                               const ReaderLimits& limits = {});
ReadResult<FindContentRequest> read_find_content_request(std::string_view bytes, const ReaderLimits& limits = {});
// Refuses more than limits.max_transactions transactions, and a transaction without an engagement.
ReadResult<ProcessNotification> read_process_notification(std::string_view bytes, const ReaderLimits& limits = {});
ReadResult<ProcessNotificationResult> read_process_notification_response(std::string_view bytes,
                                                                         const ReaderLimits& limits = {});

// --- writing ---
// Fails when the resident identification does not match [0-9]{8}[0-9pPtTfF][0-9]{3}, or when
// service_domain or logical_address is empty.
Expected<std::string> write_find_content_request(const FindContentRequest& request);
// Fails when an engagement's resident identification does not match the pattern.
Expected<std::string> write_find_content_response(std::span<const Engagement> engagements);
Expected<std::string> write_process_notification(std::string_view logical_address,
                                                 std::span<const EngagementTransaction> transactions);
std::string write_process_notification_response(const ProcessNotificationResult& result);

}  // namespace bokade::rivta
