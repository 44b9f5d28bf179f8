#include "core/time_format.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

TEST(TimeFormatTest, FormatsAndParsesUtcSeconds) {
  auto t = ParseIso8601("2026-11-23T07:43:26Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIso8601(*t), "2026-11-23T07:43:26Z");
}

TEST(TimeFormatTest, AcceptsFractionalSeconds) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-11-23T07:43:26.123Z")), "2026-11-23T07:43:26Z");
}

TEST(TimeFormatTest, RejectsAnythingElse) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T07:43:26", "2026-11-23 07:43:26Z",
                          "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z",
                          "2026-11-23T07:43:26+08:00", "2026-11-23T07:43:26.Z", "１２"}) {
    EXPECT_FALSE(ParseIso8601(bad)) << bad;
  }
}

// A nanosecond clock holds years 1678–2262; beyond, converting overflowed (a fuzzer found
// a request timestamp in year 5925 that wrapped around to a time near now).
TEST(TimeFormatTest, RefusesYearsAClockCannotHold) {
  EXPECT_FALSE(ParseIso8601("5925-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(ParseIso8601("0001-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseIso8601("2200-12-31T23:59:59Z"));
  EXPECT_TRUE(ParseIso8601("1900-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace openalb
