#include "core/percent_encoding.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

TEST(PercentEncodingTest, LeavesOnlyUnreservedCharactersLiteral) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b*+/=&"), "a%20b%2A%2B%2F%3D%26");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");
}

TEST(PercentEncodingTest, DecodesEscapesAndPlusAsSpace) {
  EXPECT_EQ(PercentDecode("a%20b+c%2a%C3%A9"), "a b c*é");
}

TEST(PercentEncodingTest, RejectsMalformedEscapes) {
  EXPECT_FALSE(PercentDecode("%"));
  EXPECT_FALSE(PercentDecode("%4"));
  EXPECT_FALSE(PercentDecode("ab%zz"));
}

TEST(PercentEncodingTest, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(PercentDecode(PercentEncode(all)), all);
}

}  // namespace
}  // namespace openalb
