#include "api/parameters.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

TEST(ParametersTest, ParsesPairsAndDecodesBothSides) {
  ParameterMap params;
  ASSERT_TRUE(ParseUrlEncoded("B=2&A%2Ex=a%20b+c&Empty=&Flag", params));
  EXPECT_EQ(params.at("A.x"), "a b c");
  EXPECT_EQ(params.at("B"), "2");
  EXPECT_EQ(params.at("Empty"), "");
  EXPECT_EQ(params.at("Flag"), "");
  EXPECT_EQ(params.begin()->first, "A.x");  // sorted
}

TEST(ParametersTest, RejectsANameGivenTwiceEvenAcrossQueryAndBody) {
  ParameterMap params;
  auto twice = ParseUrlEncoded("A=1&A=2", params);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, "InvalidParameter");
  ParameterMap merged;
  ASSERT_TRUE(ParseUrlEncoded("A=1", merged));
  EXPECT_FALSE(ParseUrlEncoded("A=1", merged));
}

TEST(ParametersTest, RejectsMalformedEscapesAndEmptyNames) {
  ParameterMap params;
  EXPECT_EQ(ParseUrlEncoded("A=%zz", params).error().code, "InvalidParameter");
  EXPECT_EQ(ParseUrlEncoded("=1", params).error().code, "InvalidParameter");
}

TEST(ParametersTest, RejectsTooManyParameters) {
  std::string query;
  for (size_t i = 0; i <= kMaxParameters; ++i)
    query.append("P").append(std::to_string(i)).append("=1&");
  ParameterMap params;
  auto r = ParseUrlEncoded(query, params);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("more than 1024"), std::string::npos);
}

}  // namespace
}  // namespace openalb
