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

TEST(NonceCacheTest, AFullCacheRefusesInsteadOfForgetting) {
  NonceCache cache(16 * 4);
  system_clock::time_point now{};
  int full = 0;
  for (int i = 0; i < 1000; ++i) {
    if (cache.Record("k", std::to_string(i), now, now + minutes(15)) == Outcome::kFull) ++full;
  }
  EXPECT_GT(full, 0);
  EXPECT_LE(cache.LiveEntriesForTesting(now), 16u * 5);
  EXPECT_EQ(cache.Record("k", "0", now, now + minutes(15)), Outcome::kReused);
}

}  // namespace
}  // namespace openalb
