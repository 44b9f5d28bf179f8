#include "api/signature_v3.h"

#include <algorithm>
#include <cctype>

#include "api/error_catalogue.h"
#include "core/crypto.h"
#include "core/percent_encoding.h"

namespace openalb {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<V3Authorization> ParseV3Authorization(std::string_view header) {
  V3Authorization auth;
  size_t space = header.find(' ');
  if (space == std::string_view::npos) {
    return Fail(errors::IncompleteSignature("Authorization has no credential part"));
  }
  auth.algorithm = std::string(header.substr(0, space));
  std::string_view rest = header.substr(space + 1);
  bool have_credential = false, have_signed_headers = false, have_signature = false;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Fail(errors::IncompleteSignature("Authorization part without '='"));
    }
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") {
      auth.access_key_id = std::string(value);
      have_credential = true;
    } else if (key == "SignedHeaders") {
      while (!value.empty()) {
        size_t semi = value.find(';');
        std::string name(value.substr(0, semi));
        value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
        if (name.empty()) return Fail(errors::IncompleteSignature("empty name in SignedHeaders"));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auth.signed_headers.push_back(std::move(name));
      }
      have_signed_headers = true;
    } else if (key == "Signature") {
      auth.signature = std::string(value);
      have_signature = true;
    } else {
      return Fail(errors::IncompleteSignature("unknown Authorization part " + std::string(key)));
    }
  }
  if (!have_credential || auth.access_key_id.empty()) {
    return Fail(errors::IncompleteSignature("Authorization has no Credential"));
  }
  if (!have_signed_headers || auth.signed_headers.empty()) {
    return Fail(errors::IncompleteSignature("Authorization has no SignedHeaders"));
  }
  if (!have_signature || auth.signature.empty()) {
    return Fail(errors::IncompleteSignature("Authorization has no Signature"));
  }
  return auth;
}

std::string CanonicalRequestV3(std::string_view method, std::string_view path,
                               const ParameterMap& query, const HttpRequestView& request,
                               const std::vector<std::string>& signed_headers,
                               std::string_view payload_sha256_hex) {
  std::string out(method);
  out.push_back('\n');
  out += path;
  out.push_back('\n');
  bool first = true;
  for (const auto& [name, value] : query) {
    if (!first) out.push_back('&');
    first = false;
    out += PercentEncode(name);
    out.push_back('=');
    out += PercentEncode(value);
  }
  out.push_back('\n');
  std::vector<std::string> names = signed_headers;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& name : names) {
    std::vector<std::string_view> values;
    for (const auto& [header, value] : request.headers) {
      if (header == name) values.push_back(Trim(value));
    }
    std::sort(values.begin(), values.end());
    out += name;
    out.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += values[i];
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += names[i];
  }
  out.push_back('\n');
  out += payload_sha256_hex;
  return out;
}

std::string StringToSignV3(std::string_view canonical_request) {
  std::string out(kV3Algorithm);
  out.push_back('\n');
  out += HexLower(Sha256(canonical_request));
  return out;
}

std::string SignV3(std::string_view secret, std::string_view string_to_sign) {
  return HexLower(HmacSha256(secret, string_to_sign));
}

}  // namespace openalb
