#include "api/nonce_cache.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

using namespace std::chrono;
using Outcome = NonceCache::Outcome;

TEST(NonceCacheTest, ASecondUseWithinTheWindowIsReused) {
  NonceCache cache(1000);
  system_clock::time_point now{};
  EXPECT_EQ(cache.Record("k", "n", now, now + minutes(15)), Outcome::kFresh);
  EXPECT_EQ(cache.Record("k", "n", now + minutes(14), now + minutes(29)), Outcome::kReused);
}

TEST(NonceCacheTest, AnEntryIsKeptUntilItsExpiryAndNotASecondLonger) {
  NonceCache cache(1000);
  system_clock::time_point now{};
  EXPECT_EQ(cache.Record("k", "n", now, now + seconds(90)), Outcome::kFresh);
  EXPECT_EQ(cache.Record("k", "n", now + seconds(89), now + seconds(200)), Outcome::kReused);
  EXPECT_EQ(cache.Record("k", "n", now + seconds(90), now + seconds(200)), Outcome::kFresh);
}

TEST(NonceCacheTest, ManyLiveEntriesAreAllRemembered) {
  NonceCache cache(1'000'000);
  system_clock::time_point now{};
  for (int i = 0; i < 100000; ++i) {
    ASSERT_EQ(cache.Record("k", std::to_string(i), now, now + minutes(15)), Outcome::kFresh);
  }
  for (int i = 0; i < 100000; i += 7) {
    ASSERT_EQ(cache.Record("k", std::to_string(i), now, now + minutes(15)), Outcome::kReused);
  }
  EXPECT_EQ(cache.LiveEntriesForTesting(now), 100000u);
}

TEST(NonceCacheTest, AFullCacheAcceptsAgainOnceEntriesExpire) {
  NonceCache cache(16 * 4);
  system_clock::time_point now{};
  for (int i = 0; i < 1000; ++i) cache.Record("k", std::to_string(i), now, now + minutes(15));
  auto later = now + minutes(16);
  EXPECT_EQ(cache.Record("k", "fresh", later, later + minutes(15)), Outcome::kFresh);
}

TEST(NonceCacheTest, NoncesArePerAccessKey) {
  NonceCache cache(1000);
  system_clock::time_point now{};
  EXPECT_EQ(cache.Record("k1", "n", now, now + minutes(15)), Outcome::kFresh);
  EXPECT_EQ(cache.Record("k2", "n", now, now + minutes(15)), Outcome::kFresh);
}

TEST(NonceCacheTest, ExpiredEntriesAreForgottenAndSwept) {
  NonceCache cache(100000);
  system_clock::time_point now{};
  // Enough entries that every shard passes its sweep threshold (1024) twice over.
  for (int i = 0; i < 40000; ++i) cache.Record("k", std::to_string(i), now, now + minutes(15));
  EXPECT_EQ(cache.Record("k", "0", now + minutes(16), now + minutes(31)), Outcome::kFresh);
  for (int i = 0; i < 40000; ++i) {
    cache.Record("k", "later" + std::to_string(i), now + minutes(16), now + minutes(31));
  }
  EXPECT_EQ(cache.LiveEntriesForTesting(now + minutes(16)), 40001u);
  // Holding all 80,000 would take at least 160,000 slots at half load; the expired first
  // half has been dropped instead.
  EXPECT_LT(cache.SlotsForTesting(), 160000u);
}

TEST(NonceCacheTest, AtTheCapOldEntriesAreForgottenButTheirReplaysStillRefused) {
  NonceCache cache(16 * 4);
  system_clock::time_point now{};
  // A thousand requests with timestamps a second apart, far more than the cap: every one is
  // accepted (the cache forgets its oldest entries instead of refusing new ones) ...
  for (int i = 0; i < 1000; ++i) {
    auto expires = now + seconds(i) + minutes(15);
    ASSERT_EQ(cache.Record("k", std::to_string(i), now, expires), Outcome::kFresh) << i;
  }
  EXPECT_LE(cache.LiveEntriesForTesting(now), 16u * 5);
  // ... and no replay of any of them is accepted: a remembered one is reused, a forgotten
  // one is older than the floor.
  int reused = 0, too_old = 0;
  for (int i = 0; i < 1000; ++i) {
    auto expires = now + seconds(i) + minutes(15);
    auto outcome = cache.Record("k", std::to_string(i), now, expires);
    ASSERT_NE(outcome, Outcome::kFresh) << i;
    (outcome == Outcome::kReused ? reused : too_old)++;
  }
  EXPECT_GT(reused, 0);
  EXPECT_GT(too_old, 900);
  // A request with a current timestamp still gets in.
  EXPECT_EQ(cache.Record("k", "new", now, now + seconds(1000) + minutes(15)), Outcome::kFresh);
}

TEST(NonceCacheTest, AtTheCapWithinOneSecondNewerTimestampsStillGetIn) {
  NonceCache cache(16 * 4);
  system_clock::time_point now{};
  int fresh = 0, too_old = 0;
  for (int i = 0; i < 1000; ++i) {
    auto outcome = cache.Record("k", std::to_string(i), now, now + minutes(15));
    (outcome == Outcome::kFresh ? fresh : too_old)++;
  }
  EXPECT_GT(too_old, 0);  // that second's entries were all forgotten, so it is closed
  EXPECT_GT(fresh, 16 * 4);
  auto next = now + seconds(1);
  EXPECT_EQ(cache.Record("k", "0", next, next + minutes(15)), Outcome::kFresh);
  EXPECT_EQ(cache.Record("k", "0", next, next + minutes(15)), Outcome::kReused);
}

}  // namespace
}  // namespace openalb
