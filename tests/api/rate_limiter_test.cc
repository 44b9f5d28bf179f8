// Flow control per AccessKey: a burst is served, then one request per 1/rate seconds; keys
// do not share buckets; time going backwards gives nothing back; rate 0 is off.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, ABurstThenTheRate) {
  RateLimiter limiter(10, 3);
  auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow("LTAIa", t0));
  EXPECT_TRUE(limiter.Allow("LTAIa", t0));
  EXPECT_TRUE(limiter.Allow("LTAIa", t0));
  EXPECT_FALSE(limiter.Allow("LTAIa", t0));
  EXPECT_TRUE(limiter.Allow("LTAIb", t0));  // its own bucket
  EXPECT_FALSE(limiter.Allow("LTAIa", t0 + milliseconds(50)));
  EXPECT_TRUE(limiter.Allow("LTAIa", t0 + milliseconds(100)));  // 10/s: one token per 100 ms
  EXPECT_FALSE(limiter.Allow("LTAIa", t0 + milliseconds(100)));
  EXPECT_FALSE(limiter.Allow("LTAIa", t0 - milliseconds(5000)));  // a clock step back
  // A long pause saves up no more than the burst.
  auto later = t0 + std::chrono::minutes(5);
  int served = 0;
  for (int i = 0; i < 10; ++i) served += limiter.Allow("LTAIa", later) ? 1 : 0;
  EXPECT_EQ(served, 3);
}

TEST(RateLimiterTest, RateZeroIsOff) {
  RateLimiter limiter(0, 0);
  EXPECT_FALSE(limiter.enabled());
  auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow("LTAIa", now));
}

}  // namespace
}  // namespace openalb
