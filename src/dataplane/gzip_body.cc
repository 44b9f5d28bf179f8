#include "dataplane/gzip_body.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace openalb {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool SameLetters(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool CompressibleType(std::string_view content_type) {
  std::string type(TrimSpaces(content_type.substr(0, content_type.find(';'))));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type.starts_with("text/")) return true;
  for (std::string_view known :
       {"application/json", "application/javascript", "application/x-javascript", "application/xml",
        "application/xhtml+xml", "application/rss+xml", "image/svg+xml"}) {
    if (type == known) return true;
  }
  return type.ends_with("+json") || type.ends_with("+xml");
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == accept_encoding.npos ? std::string_view() : accept_encoding.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = TrimSpaces(item.substr(0, semi));
    if (!SameLetters(coding, "gzip") && coding != "*") continue;
    if (semi == item.npos) return true;
    std::string_view parameter = TrimSpaces(item.substr(semi + 1));
    if (!parameter.starts_with("q=") && !parameter.starts_with("Q=")) return true;
    const std::string q(parameter.substr(2));
    return std::strtod(q.c_str(), nullptr) > 0.0;
  }
  return false;
}

std::optional<std::string> GzipCompress(std::string_view body) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace openalb
