#include "api/response_renderer.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

TEST(ResponseRendererTest, XmlRepeatsArrayElementsUnderTheMemberName) {
  Json body;
  body["JobId"] = "72dcd26b";
  body["Certificates"] = Json::array({Json{{"CertificateId", "a"}}, Json{{"CertificateId", "b"}}});
  body["TotalCount"] = 2;
  body["IsDefault"] = false;
  body["RequestId"] = "365F4154";
  EXPECT_EQ(RenderXml("ListResponse", body),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListResponse><JobId>72dcd26b</JobId>"
            "<Certificates><CertificateId>a</CertificateId></Certificates>"
            "<Certificates><CertificateId>b</CertificateId></Certificates>"
            "<TotalCount>2</TotalCount><IsDefault>false</IsDefault>"
            "<RequestId>365F4154</RequestId></ListResponse>");
}

TEST(ResponseRendererTest, XmlEscapesText) {
  Json body;
  body["Message"] = "a<b>&\"c\"";
  EXPECT_NE(RenderXml("Error", body).find("<Message>a&lt;b&gt;&amp;\"c\"</Message>"),
            std::string::npos);
}

TEST(ResponseRendererTest, JsonKeepsMemberOrderAndEscapes) {
  Json body;
  body["JobId"] = "j";
  body["RequestId"] = "r\"\n";
  EXPECT_EQ(RenderJson(body), R"({"JobId":"j","RequestId":"r\"\n"})");
}

TEST(ResponseRendererTest, JsonReplacesInvalidUtf8InsteadOfThrowing) {
  Json body;
  body["Message"] = std::string("bad \xff byte");
  EXPECT_NO_THROW(RenderJson(body));
}

TEST(ResponseRendererTest, ErrorBodyHasTheAlbEnvelope) {
  ApiError error{"ResourceNotFound.Listener", 404, "The specified resource lsr-1 is not found.",
                 "x"};
  auto body = ErrorBody(error, "REQ", "alb.example");
  EXPECT_EQ(
      RenderJson(body),
      R"({"RequestId":"REQ","HostId":"alb.example","Code":"ResourceNotFound.Listener",)"
      R"("Message":"The specified resource lsr-1 is not found.",)"
      R"("Recommend":"https://api.aliyun.com/troubleshoot?q=ResourceNotFound.Listener&product=Alb&requestId=REQ"})");
}

}  // namespace
}  // namespace openalb
