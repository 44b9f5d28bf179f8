#include "api/nonce_cache.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

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
  EXPECT_GT(too_old, 0);     // that second's entries were all forgotten, so it is closed
  EXPECT_GE(fresh, 16 * 4);  // the whole cap, before that second closed
  auto next = now + seconds(1);
  EXPECT_EQ(cache.Record("k", "0", next, next + minutes(15)), Outcome::kFresh);
  EXPECT_EQ(cache.Record("k", "0", next, next + minutes(15)), Outcome::kReused);
}

TEST(NonceCacheTest, OneKeyFloodingWithFutureTimestampsNeverRefusesAnotherKey) {
  NonceCache cache(1600);
  system_clock::time_point now{};
  ASSERT_EQ(cache.Record("victim", "earlier", now, now + minutes(15)), Outcome::kFresh);
  // Far more than the cap, each remembered for as long as a timestamp can be ahead.
  for (int i = 0; i < 3000; ++i) {
    cache.Record("attacker", std::to_string(i), now, now + minutes(14) + minutes(15));
  }
  EXPECT_LE(cache.LiveEntriesForTesting(now), 1600u + 1);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(cache.Record("victim", "n" + std::to_string(i), now, now + minutes(15)),
              Outcome::kFresh)
        << i;
  }
  // The victim's entries were not the ones forgotten: its replay is still caught as such.
  EXPECT_EQ(cache.Record("victim", "earlier", now, now + minutes(15)), Outcome::kReused);
}

TEST(NonceCacheTest, AtTheCapTheHeaviestKeysGiveUpEntriesAndLightOnesKeepThem) {
  NonceCache cache(1000);
  system_clock::time_point now{};
  for (int key = 0; key < 10; ++key) {
    for (int i = 0; i < 50; ++i) {
      cache.Record("light" + std::to_string(key), std::to_string(i), now, now + minutes(15));
    }
  }
  for (int i = 0; i < 5000; ++i) {
    cache.Record("heavy", std::to_string(i), now + seconds(i / 100),
                 now + minutes(15) + seconds(i / 100));
  }
  for (int key = 0; key < 10; ++key) {
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(
          cache.Record("light" + std::to_string(key), std::to_string(i), now, now + minutes(15)),
          Outcome::kReused);
    }
  }
}

// Nonces an attacker can compute offline to collide in the low bits of an unkeyed hash
// (std::hash, which this cache once used): each lands on the same home slot there.
std::vector<std::string> NoncesCollidingUnderStdHash(size_t count, unsigned bits) {
  std::vector<std::string> out;
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  for (std::uint64_t i = 0; out.size() < count; ++i) {
    std::string nonce = "n" + std::to_string(i);
    if ((std::hash<std::string>{}(nonce)&mask) == 0) out.push_back(nonce);
  }
  return out;
}

TEST(NonceCacheTest, NoncesCraftedToCollideCostNoMoreProbesThanRandomOnes) {
  const auto crafted = NoncesCollidingUnderStdHash(1500, 11);
  system_clock::time_point now{};
  NonceCache flooded(100000);
  for (const auto& nonce : crafted) flooded.Record("k", nonce, now, now + minutes(15));
  NonceCache random(100000);
  for (size_t i = 0; i < crafted.size(); ++i) {
    random.Record("k", "random-" + std::to_string(i * 7919), now, now + minutes(15));
  }
  // Linear probing at most half full averages under two probes a record; an unkeyed hash
  // gave these nonces chains hundreds long.
  EXPECT_LT(flooded.ProbesForTesting(), 2 * random.ProbesForTesting());
  EXPECT_LT(flooded.ProbesForTesting(), 3 * crafted.size());
}

}  // namespace
}  // namespace openalb
