// Well-formed UTF-8 as RFC 3629 defines it, and the forms it excludes.
#include "core/utf8.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

TEST(Utf8Test, WellFormedTextOfEveryLengthIsAccepted) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));               // é, two bytes
  EXPECT_TRUE(IsValidUtf8("\xe4\xb8\xad\xe6\x96\x87"));  // 中文, three bytes each
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));          // U+1F600, four bytes
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));          // U+10FFFF, the last code point
}

TEST(Utf8Test, MalformedOverlongSurrogateAndOutOfRangeFormsAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xfe"));              // never a UTF-8 byte
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a continuation with no lead
  EXPECT_FALSE(IsValidUtf8("caf\xc3"));           // cut short
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000, past the last code point
  EXPECT_FALSE(IsValidUtf8("\xe4\xb8"));          // a three-byte form cut short
  EXPECT_FALSE(IsValidUtf8("\xe4\x41\xad"));      // a continuation that is not one
}

}  // namespace
}  // namespace openalb
