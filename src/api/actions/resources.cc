#include "api/actions/resources.h"

#include <string>

#include "alb/ids.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

// Ids come from the client: an ARN carries at most this much of one.
constexpr size_t kMaxIdInArn = 128;

std::string Arn(const ActionContext& context, std::string_view service, std::string_view rest) {
  std::string arn = "acs:";
  arn += service;
  arn += ':';
  arn += context.services.region.region_id;
  arn += ':';
  arn += context.request.caller.account_id;
  arn += ':';
  arn += rest;
  return arn;
}

// `<type>/<id>`, the id cut to kMaxIdInArn and anything but printable ASCII written as '?'
// (ARNs reach the audit log and the terminal that reads it).
std::string Typed(std::string_view type, std::string_view id) {
  std::string out(type);
  out += '/';
  for (char c : id.substr(0, kMaxIdInArn)) out += c > 0x20 && c < 0x7f ? c : '?';
  return out;
}

}  // namespace

ResourceResolver AllResources(std::string_view service) {
  return [service = std::string(service)](const ActionContext& context) -> Result<std::string> {
    return Arn(context, service, "*");
  };
}

ResourceResolver NewResource(std::string_view service, std::string_view type) {
  return [service = std::string(service),
          type = std::string(type)](const ActionContext& context) -> Result<std::string> {
    return Arn(context, service, Typed(type, "*"));
  };
}

ResourceResolver ResourceNamedBy(std::string_view service, std::string_view type,
                                 std::string_view param) {
  return [service = std::string(service), type = std::string(type),
          param = std::string(param)](const ActionContext& context) -> Result<std::string> {
    return Arn(context, service, Typed(type, context.params.Get(param).value_or("")));
  };
}

ResourceResolver ResourcesNamedBy(std::string_view service, std::string_view type,
                                  std::string_view list) {
  return [service = std::string(service), type = std::string(type),
          list = std::string(list)](const ActionContext& context) -> Result<std::string> {
    auto ids = context.params.StringList(list, 100);
    if (!ids) return Fail(ids.error());
    return Arn(context, service, Typed(type, ids->size() == 1 ? ids->front() : "*"));
  };
}

Result<std::int64_t> ReadCanonicalCertificateNumber(const ActionContext& context,
                                                    std::string_view param) {
  auto number = ParseCanonicalCertificateNumber(context.params.Get(param).value_or(""));
  if (!number) {
    return Fail(errors::InvalidParameter(
        param, "expected a certificate number: 1 to 10 digits without a leading zero"));
  }
  return *number;
}

ResourceResolver CertificateNamedBy(std::string_view param) {
  return [param = std::string(param)](const ActionContext& context) -> Result<std::string> {
    auto number = ReadCanonicalCertificateNumber(context, param);
    if (!number) return Fail(number.error());
    return Arn(context, "yundun-cert", Typed("certificate", std::to_string(*number)));
  };
}

ResourceResolver ListenerLoadBalancer() {
  return [](const ActionContext& context) -> Result<std::string> {
    const std::string_view listener_id = context.params.Get("ListenerId").value_or("");
    auto load_balancer_id = InTransaction<std::string>(
        context.services.store, TxMode::kRead, [&](StoreTx& tx) -> Result<std::string> {
          auto listener = tx.FindListener(context.request.caller.account_id, listener_id);
          if (!listener) return Fail(listener.error());
          return *listener ? (*listener)->load_balancer_id : std::string();
        });
    if (!load_balancer_id) return Fail(load_balancer_id.error());
    if (load_balancer_id->empty()) return Arn(context, "alb", Typed("listener", listener_id));
    return Arn(context, "alb", Typed("loadbalancer", *load_balancer_id));
  };
}

}  // namespace openalb
