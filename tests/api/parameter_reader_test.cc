#include "api/parameter_reader.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

ParameterMap Params(std::initializer_list<std::pair<const std::string, std::string>> list) {
  return ParameterMap(list.begin(), list.end());
}

TEST(ParameterReaderTest, ObjectListReadsTheFlattenedFormInIndexOrder) {
  auto params = Params({{"Certificates.2.CertificateId", "b"},
                        {"Certificates.1.CertificateId", "a"},
                        {"Certificates.10.CertificateId", "c"}});
  auto list = ParameterReader(params).ObjectList("Certificates", 20);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].at("CertificateId"), "a");
  EXPECT_EQ((*list)[1].at("CertificateId"), "b");
  EXPECT_EQ((*list)[2].at("CertificateId"), "c");
}

TEST(ParameterReaderTest, ObjectListReadsTheSeedsJsonArrayForm) {
  auto params = Params(
      {{"Certificates", R"([{"CertificateId":"12315790343_166f8204689_1714763408_70998****"}])"}});
  auto list = ParameterReader(params).ObjectList("Certificates", 20);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].at("CertificateId"), "12315790343_166f8204689_1714763408_70998****");
}

TEST(ParameterReaderTest, ObjectListRejectsMalformedInput) {
  for (auto params : {Params({{"Certificates", "not json"}}),
                      Params({{"Certificates", R"({"CertificateId":"a"})"}}),
                      Params({{"Certificates", R"([{"CertificateId":{"x":1}}])"}}),
                      Params({{"Certificates.0.CertificateId", "a"}}),
                      Params({{"Certificates.01.CertificateId", "a"}}),
                      Params({{"Certificates.x.CertificateId", "a"}}),
                      Params({{"Certificates.1", "a"}}), Params({{"Certificates.1.A.B", "a"}}),
                      Params({{"Certificates", "[]"}, {"Certificates.1.CertificateId", "a"}})}) {
    auto list = ParameterReader(params).ObjectList("Certificates", 20);
    ASSERT_FALSE(list) << params.begin()->first;
    EXPECT_EQ(list.error().code, "InvalidParameter");
    EXPECT_EQ(list.error().http_status, 400);
  }
}

TEST(ParameterReaderTest, ObjectListEnforcesTheEntryLimitInBothForms) {
  auto flattened = Params({{"Certificates.21.CertificateId", "a"}});
  auto r1 = ParameterReader(flattened).ObjectList("Certificates", 20);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().message.find("at most 20"), std::string::npos);
  std::string json = "[";
  for (int i = 0; i < 21; ++i) json += std::string(i ? "," : "") + R"({"CertificateId":"x"})";
  auto as_json = Params({{"Certificates", json + "]"}});
  EXPECT_FALSE(ParameterReader(as_json).ObjectList("Certificates", 20));
}

TEST(ParameterReaderTest, ObjectListIgnoresParametersThatOnlyShareAPrefix) {
  auto params = Params({{"CertificatesX.1.CertificateId", "a"}, {"Certificate", "b"}});
  auto list = ParameterReader(params).ObjectList("Certificates", 20);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST(ParameterReaderTest, StringListReadsBothForms) {
  auto flattened = Params({{"CertificateIds.1", "a"}, {"CertificateIds.2", "b"}});
  EXPECT_EQ(*ParameterReader(flattened).StringList("CertificateIds", 20),
            (std::vector<std::string>{"a", "b"}));
  auto json = Params({{"CertificateIds", R"(["a","b"])"}});
  EXPECT_EQ(*ParameterReader(json).StringList("CertificateIds", 20),
            (std::vector<std::string>{"a", "b"}));
  auto bad = Params({{"CertificateIds", "[1]"}});
  EXPECT_FALSE(ParameterReader(bad).StringList("CertificateIds", 20));
}

TEST(ParameterReaderTest, RequiredBoolAndIntegerReportTheParameterByName) {
  auto params = Params({{"DryRun", "TRUE"}, {"Bad", "yes"}, {"MaxResults", "100"}, {"Empty", ""}});
  ParameterReader reader(params);
  EXPECT_EQ(reader.Required("ListenerId").error().code, "MissingListenerId");
  EXPECT_EQ(reader.Required("ListenerId").error().message,
            "ListenerId is mandatory for this action.");
  EXPECT_EQ(reader.Required("Empty").error().code, "MissingEmpty");
  EXPECT_EQ(**reader.Bool("DryRun"), true);
  EXPECT_FALSE(reader.Bool("Absent")->has_value());
  EXPECT_EQ(reader.Bool("Bad").error().code, "InvalidParameter");
  EXPECT_EQ(**reader.Integer("MaxResults", 1, 100), 100);
  EXPECT_FALSE(reader.Integer("MaxResults", 1, 99));
  EXPECT_FALSE(reader.Integer("DryRun", 1, 99));
}

}  // namespace
}  // namespace openalb
