// The request-head rules against the requests a smuggling attempt sends, parsed by the same
// Beast parser the data plane reads with: each is refused with the status RFC 9112 gives,
// and what is accepted is normalised to one unambiguous request.
#include "dataplane/request_rules.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include <string>

namespace openalb {
namespace {

namespace http = boost::beast::http;

// The head of `raw` as the data plane's parser reads it.
RequestHead Parse(const std::string& raw) {
  http::request_parser<http::string_body> parser;
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(raw), ec);
  EXPECT_TRUE(!ec || ec == http::error::need_more) << raw << ": " << ec.message();
  EXPECT_TRUE(parser.is_header_done()) << raw;
  return parser.get().base();
}

// The status the data plane answers `raw` with: 400 when the parser itself refuses it (as
// ClientSession does for a parse error), else the rules' answer; 0 when it is forwarded.
unsigned Refused(const std::string& raw) {
  http::request_parser<http::string_body> parser;
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(raw), ec);
  if (ec && ec != http::error::need_more) return 400;
  RequestHead head = parser.get().base();
  auto refusal = CheckRequestHead(head);
  return refusal ? static_cast<unsigned>(refusal->status) : 0;
}

TEST(RequestRulesTest, TransferEncodingOnlyAsChunkedAloneAndLast) {
  const std::string start = "POST / HTTP/1.1\r\nHost: a\r\n";
  EXPECT_EQ(Refused(start + "Transfer-Encoding: chunked\r\n\r\n"), 0u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: Chunked\r\n\r\n"), 0u);
  // chunked not last, repeated, or missing: the length is unknowable.
  EXPECT_EQ(Refused(start + "Transfer-Encoding: chunked, gzip\r\n\r\n"), 400u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: chunked, chunked\r\n\r\n"), 400u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: xchunked\r\n\r\n"), 400u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: \r\n\r\n"), 400u);
  // A coding openalb does not decode before a final chunked.
  EXPECT_EQ(Refused(start + "Transfer-Encoding: xchunked, chunked\r\n\r\n"), 501u);
  EXPECT_EQ(Refused(start + "Transfer-Encoding: gzip, chunked\r\n\r\n"), 501u);
  // Both framings, or Transfer-Encoding on HTTP/1.0.
  EXPECT_EQ(Refused(start + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 400u);
}

TEST(RequestRulesTest, ExactlyOneValidHostOnHttp11) {
  EXPECT_EQ(Refused("GET / HTTP/1.1\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET / HTTP/1.0\r\n\r\n"), 0u);
  EXPECT_EQ(Refused("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), 0u);
}

TEST(RequestRulesTest, AnAbsoluteFormTargetBecomesOriginFormWithItsAuthorityAsHost) {
  RequestHead head =
      Parse("GET http://Target.example:8080/p/q?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_FALSE(CheckRequestHead(head));
  EXPECT_EQ(head.target(), "/p/q?x=1");
  EXPECT_EQ(head[http::field::host], "Target.example:8080");
  head = Parse("GET HTTPS://a.example?x HTTP/1.1\r\nHost: a.example\r\n\r\n");
  ASSERT_FALSE(CheckRequestHead(head));
  EXPECT_EQ(head.target(), "/?x");
  EXPECT_EQ(Refused("GET http://user:pw@a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
  EXPECT_EQ(Refused("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0u);
  EXPECT_EQ(Refused("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), 405u);
}

TEST(RequestRulesTest, ForwardingHeadersAreOpenalbsOwn) {
  RequestHead head = Parse(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.1\r\n"
      "X-Forwarded-For: 203.0.113.2\r\nX-Real-IP: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
      "X-Forwarded-Host: admin.internal\r\nX-Forwarded-Port: 443\r\n"
      "Forwarded: for=10.0.0.1;proto=https\r\n\r\n");
  SetForwardingHeaders(head, "198.51.100.7", /*tls=*/false);
  EXPECT_EQ(head["X-Forwarded-For"], "203.0.113.1, 203.0.113.2, 198.51.100.7");
  EXPECT_EQ(head.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(head["X-Real-IP"], "198.51.100.7");
  EXPECT_EQ(head["X-Forwarded-Proto"], "http");
  EXPECT_EQ(head.count("X-Forwarded-Host"), 0u);
  EXPECT_EQ(head.count("X-Forwarded-Port"), 0u);
  EXPECT_EQ(head.count(http::field::forwarded), 0u);
}

}  // namespace
}  // namespace openalb
