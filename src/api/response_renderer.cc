#include "api/response_renderer.h"

#include <pugixml.hpp>

#include <sstream>

#include "core/percent_encoding.h"

namespace openalb {
namespace {

void AppendValue(pugi::xml_node parent, std::string_view name, const Json& value);

void AppendMembers(pugi::xml_node node, const Json& object) {
  for (const auto& [key, member] : object.items()) {
    if (member.is_array()) {
      for (const auto& item : member) AppendValue(node, key, item);
    } else {
      AppendValue(node, key, member);
    }
  }
}

void AppendValue(pugi::xml_node parent, std::string_view name, const Json& value) {
  pugi::xml_node node = parent.append_child(std::string(name).c_str());
  if (value.is_object()) {
    AppendMembers(node, value);
  } else if (value.is_array()) {
    // An array directly inside an array has no name of its own; repeat the outer one.
    for (const auto& item : value) AppendValue(node, name, item);
  } else if (value.is_string()) {
    node.text().set(value.get_ref<const std::string&>().c_str());
  } else if (!value.is_null()) {
    node.text().set(value.dump().c_str());
  }
}

}  // namespace

std::string RenderJson(const Json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string RenderXml(std::string_view root_element, const Json& body) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  AppendMembers(doc.append_child(std::string(root_element).c_str()), body);
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

Json ErrorBody(const ApiError& error, std::string_view request_id, std::string_view host_id) {
  Json body;
  body["RequestId"] = request_id;
  body["HostId"] = host_id;
  body["Code"] = error.code;
  body["Message"] = error.message;
  body["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + PercentEncode(error.code) +
                      "&product=Alb&requestId=" + std::string(request_id);
  if (!error.access_denied_detail.empty()) {
    Json& detail = body["AccessDeniedDetail"];
    for (const auto& [field, value] : error.access_denied_detail) detail[field] = value;
  }
  return body;
}

std::string_view ContentTypeFor(ResponseFormat format) {
  return format == ResponseFormat::kXml ? "application/xml;charset=utf-8"
                                        : "application/json;charset=utf-8";
}

}  // namespace openalb
