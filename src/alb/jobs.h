// Asynchronous jobs: what a write leaves for the worker, and how the worker finishes it.
// A write marks the resources it changes (listener Configuring, certificates Associating or
// Dissociating) and records a Processing job in the same transaction; completing the job
// applies the change and settles the marks in one later transaction, so a crash between the
// two leaves a job that is simply completed after restart. Every step is idempotent.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alb/domain.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// Wire values of a job's OperateType and ResourceType.
namespace job_kind {
inline constexpr std::string_view kCreate = "Create";
inline constexpr std::string_view kUpdate = "Update";
inline constexpr std::string_view kDelete = "Delete";
inline constexpr std::string_view kLoadBalancer = "loadbalancer";
inline constexpr std::string_view kListener = "listener";
inline constexpr std::string_view kServerGroup = "servergroup";
inline constexpr std::string_view kRule = "rule";
inline constexpr std::string_view kSecurityPolicy = "securitypolicy";
inline constexpr std::string_view kAcl = "acl";
inline constexpr std::string_view kAScript = "ascript";
}  // namespace job_kind

// A string the job's payload carries (UpdateListenerAttribute's DefaultCertificateId or
// ForwardServerGroupId), if any.
std::optional<std::string> JobPayloadString(const Job& job, std::string_view key);
// An object or array the payload carries (UpdateListenerAttribute's "Attributes",
// UpdateServerGroupServersAttribute's "Servers"), if any.
std::optional<nlohmann::json> JobPayloadObject(const Job& job, std::string_view key);

// A Processing job created now, due after the domain's job delay.
Job MakeJob(const Domain& domain, std::string_view account_id, std::string_view api_name,
            std::string_view operate_type, std::string_view resource_type,
            std::string_view resource_id, std::string payload = "{}");

// Applies a due job's change and marks it Succeeded. A domain error (say, its resource is
// gone) means the job cannot succeed: call FailJob in a fresh nested transaction.
Result<void> CompleteJob(StoreTx& tx, const Job& job, std::int64_t now_ms);
// Undoes the job's marks (Associating rows removed, Dissociating rows Associated again,
// the listener back to its resting status — Stopped if it was being created or started)
// and marks it Failed with `error`.
Result<void> FailJob(StoreTx& tx, const Job& job, const ApiError& error, std::int64_t now_ms);

Result<Page<Job>> ListJobs(const Domain& domain, const JobFilter& filter, const PageRequest& page);

}  // namespace openalb
