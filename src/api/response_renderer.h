// Rendering response bodies in the two formats the OpenAPI speaks. JSON is the body as
// is; XML follows Alibaba Cloud's mapping: the root is <ActionResponse> (or <Error>),
// object members become elements, and an array member repeats its element once per item.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "api/rpc_request.h"
#include "core/api_error.h"

namespace openalb {

using Json = nlohmann::ordered_json;

std::string RenderJson(const Json& body);
std::string RenderXml(std::string_view root_element, const Json& body);

// The error envelope: RequestId, HostId, Code, Message, Recommend.
Json ErrorBody(const ApiError& error, std::string_view request_id, std::string_view host_id);

std::string_view ContentTypeFor(ResponseFormat format);

}  // namespace openalb
