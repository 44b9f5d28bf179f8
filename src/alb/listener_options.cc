#include "alb/listener_options.h"

#include <string>

#include "alb/json_fields.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

using OptionsJson = nlohmann::json;

// The XForwardedForConfig flags and the ListenerOptions member each sets.
struct XffFlag {
  std::string_view name;
  bool ListenerOptions::*member;
};
constexpr XffFlag kXffFlags[] = {
    {"XForwardedForEnabled", &ListenerOptions::xff_enabled},
    {"XForwardedForProtoEnabled", &ListenerOptions::xff_proto},
    {"XForwardedForClientSrcPortEnabled", &ListenerOptions::xff_client_src_port},
    {"XForwardedForSLBIdEnabled", &ListenerOptions::xff_slb_id},
    {"XForwardedForSLBPortEnabled", &ListenerOptions::xff_slb_port},
    {"XForwardedForHostEnabled", &ListenerOptions::xff_host},
};

// LogConfig: AccessLogRecordCustomizedHeadersEnabled and AccessLogTracingConfig's fields, as
// UpdateListenerLogConfig sends them.
Result<void> MergeLogConfig(ListenerOptions& base, const OptionsJson& log) {
  for (const auto& [key, value] : log.items()) {
    if (key == "AccessLogRecordCustomizedHeadersEnabled") {
      auto b = JsonBool(value, key);
      if (!b) return Fail(b.error());
      base.log_custom_headers = *b;
    } else if (key == "AccessLogTracingConfig" && value.is_object()) {
      for (const auto& [field, field_value] : value.items()) {
        const std::string name = "AccessLogTracingConfig." + field;
        if (field == "TracingEnabled") {
          auto b = JsonBool(field_value, name);
          if (!b) return Fail(b.error());
          base.tracing = *b;
        } else if (field == "TracingSample") {
          auto n = JsonInt(field_value, name, 1, 10000);
          if (!n) return Fail(n.error());
          base.tracing_sample = *n;
        } else if (field == "TracingType") {
          if (field_value != "Zipkin") {
            return Fail(errors::InvalidParameter(name, "the tracing type is Zipkin"));
          }
          base.tracing_type = "Zipkin";
        } else {
          return Fail(errors::InvalidParameter(name, "unknown field"));
        }
      }
    } else {
      return Fail(errors::InvalidParameter("LogConfig." + key, "unknown field"));
    }
  }
  if (base.tracing && (base.tracing_sample == 0 || base.tracing_type.empty())) {
    return Fail(errors::InvalidParameter("AccessLogTracingConfig",
                                         "TracingEnabled needs TracingSample and TracingType"));
  }
  return {};
}

}  // namespace

nlohmann::json ListenerOptionsJson(const ListenerOptions& options) {
  OptionsJson out;
  out["IdleTimeout"] = options.idle_timeout_s;
  out["RequestTimeout"] = options.request_timeout_s;
  out["GzipEnabled"] = options.gzip;
  out["Http2Enabled"] = options.http2;
  out["SecurityPolicyId"] = options.security_policy_id;
  OptionsJson xff;
  for (const auto& flag : kXffFlags) xff[std::string(flag.name)] = options.*flag.member;
  xff["XForwardedForProcessingMode"] = options.xff_remove ? "remove" : "append";
  out["XForwardedForConfig"] = std::move(xff);
  OptionsJson log;
  log["AccessLogRecordCustomizedHeadersEnabled"] = options.log_custom_headers;
  // Shown once set, as ALB shows it: an empty object otherwise.
  log["AccessLogTracingConfig"] = OptionsJson::object();
  if (options.tracing || !options.tracing_type.empty()) {
    log["AccessLogTracingConfig"] = {{"TracingEnabled", options.tracing},
                                     {"TracingSample", options.tracing_sample},
                                     {"TracingType", options.tracing_type}};
  }
  out["LogConfig"] = std::move(log);
  OptionsJson quic = {{"QuicUpgradeEnabled", options.quic_upgrade}};
  if (!options.quic_listener_id.empty()) quic["QuicListenerId"] = options.quic_listener_id;
  out["QuicConfig"] = std::move(quic);
  return out;
}

ListenerOptions ListenerOptionsFromJson(std::string_view json) {
  auto parsed = OptionsJson::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return {};
  auto merged = MergeListenerOptions({}, parsed);
  return merged ? *merged : ListenerOptions{};
}

Result<ListenerOptions> MergeListenerOptions(ListenerOptions base, const nlohmann::json& patch) {
  if (!patch.is_object()) return base;
  for (const auto& [key, value] : patch.items()) {
    if (key == "IdleTimeout") {
      auto n = JsonInt(value, key, 1, 60);
      if (!n) return Fail(n.error());
      base.idle_timeout_s = *n;
    } else if (key == "RequestTimeout") {
      auto n = JsonInt(value, key, 1, 180);
      if (!n) return Fail(n.error());
      base.request_timeout_s = *n;
    } else if (key == "GzipEnabled") {
      auto b = JsonBool(value, key);
      if (!b) return Fail(b.error());
      base.gzip = *b;
    } else if (key == "Http2Enabled") {
      auto b = JsonBool(value, key);
      if (!b) return Fail(b.error());
      base.http2 = *b;
    } else if (key == "SecurityPolicyId") {
      // That it names a policy the account may use is the domain's check (listeners.cc).
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 128) {
        return Fail(errors::InvalidParameter(key, "expected a security policy id"));
      }
      base.security_policy_id = value.get<std::string>();
    } else if (key == "XForwardedForConfig" && value.is_object()) {
      for (const auto& [field, flag_value] : value.items()) {
        const std::string name = "XForwardedForConfig." + field;
        if (field == "XForwardedForProcessingMode") {
          if (flag_value != "append" && flag_value != "remove") {
            return Fail(errors::InvalidParameter(name, "it is append or remove"));
          }
          base.xff_remove = flag_value == "remove";
          continue;
        }
        bool known = false;
        for (const auto& flag : kXffFlags) {
          if (field != flag.name) continue;
          auto b = JsonBool(flag_value, name);
          if (!b) return Fail(b.error());
          base.*flag.member = *b;
          known = true;
        }
        // The client-certificate fields (mutual TLS) and trusted source lists are accepted and
        // ignored only when they ask for nothing.
        if (!known && flag_value != false && flag_value != "false" && flag_value != "") {
          return Fail(errors::InvalidParameter(
              name, "openalb does not support this XForwardedForConfig field"));
        }
      }
    } else if (key == "QuicConfig" && value.is_object()) {
      for (const auto& [field, field_value] : value.items()) {
        const std::string name = "QuicConfig." + field;
        if (field == "QuicUpgradeEnabled") {
          auto b = JsonBool(field_value, name);
          if (!b) return Fail(b.error());
          base.quic_upgrade = *b;
        } else if (field == "QuicListenerId") {
          if (!field_value.is_string() || field_value.get<std::string>().size() > 128) {
            return Fail(errors::InvalidParameter(name, "expected a listener id"));
          }
          base.quic_listener_id = field_value.get<std::string>();
        } else {
          return Fail(errors::InvalidParameter(name, "unknown field"));
        }
      }
    } else if (key == "LogConfig" && value.is_object()) {
      if (auto r = MergeLogConfig(base, value); !r) return Fail(r.error());
    } else {
      return Fail(errors::InvalidParameter(key, "unknown listener attribute"));
    }
  }
  return base;
}

}  // namespace openalb
