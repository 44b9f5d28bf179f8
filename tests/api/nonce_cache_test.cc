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
  // Without sweeping, 80,000 entries would be held; the expired first half is gone.
  EXPECT_LT(cache.SizeForTesting(), 50000u);
}

TEST(NonceCacheTest, AFullCacheRefusesInsteadOfForgetting) {
  NonceCache cache(16 * 4);
  system_clock::time_point now{};
  int full = 0;
  for (int i = 0; i < 1000; ++i) {
    if (cache.Record("k", std::to_string(i), now, now + minutes(15)) == Outcome::kFull) ++full;
  }
  EXPECT_GT(full, 0);
  EXPECT_LE(cache.SizeForTesting(), 16u * 5);
  EXPECT_EQ(cache.Record("k", "0", now, now + minutes(15)), Outcome::kReused);
}

}  // namespace
}  // namespace openalb
