#include "core/connection_limiter.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace openalb {
namespace {

using Verdict = ConnectionLimiter::Verdict;

TEST(ConnectionLimiterTest, EachAddressHasItsOwnAllowance) {
  ConnectionLimiter limiter(/*max_in_all=*/100, /*max_per_client=*/2);
  std::vector<ConnectionLimiter::Slot> slots(5);
  EXPECT_EQ(limiter.Admit("10.0.0.1", slots[0]), Verdict::kAdmitted);
  EXPECT_EQ(limiter.Admit("10.0.0.1", slots[1]), Verdict::kAdmitted);
  EXPECT_EQ(limiter.Admit("10.0.0.1", slots[2]), Verdict::kTooManyFromClient);
  EXPECT_EQ(limiter.Admit("10.0.0.2", slots[3]), Verdict::kAdmitted);
  EXPECT_EQ(limiter.OpenForTesting("10.0.0.1"), 2u);
  slots[0] = {};  // the connection ends
  EXPECT_EQ(limiter.Admit("10.0.0.1", slots[4]), Verdict::kAdmitted);
}

TEST(ConnectionLimiterTest, TheTotalCapsEveryAddressTogether) {
  ConnectionLimiter limiter(/*max_in_all=*/3, /*max_per_client=*/0);
  std::vector<ConnectionLimiter::Slot> slots(4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Admit("10.0.0." + std::to_string(i), slots[i]), Verdict::kAdmitted);
  }
  EXPECT_EQ(limiter.Admit("10.0.0.9", slots[3]), Verdict::kTooManyInAll);
  EXPECT_EQ(limiter.OpenForTesting("10.0.0.9"), 0u);
  slots.erase(slots.begin());
  EXPECT_EQ(limiter.Admit("10.0.0.9", slots.back()), Verdict::kAdmitted);
}

TEST(ConnectionLimiterTest, AMovedSlotGivesItsPlaceBackOnce) {
  ConnectionLimiter limiter(0, 1);
  ConnectionLimiter::Slot first;
  ASSERT_EQ(limiter.Admit("a", first), Verdict::kAdmitted);
  ConnectionLimiter::Slot moved(std::move(first));
  EXPECT_EQ(limiter.OpenForTesting("a"), 1u);
  { ConnectionLimiter::Slot gone(std::move(moved)); }
  EXPECT_EQ(limiter.OpenForTesting("a"), 0u);
  ConnectionLimiter::Slot again;
  EXPECT_EQ(limiter.Admit("a", again), Verdict::kAdmitted);
  // Admitting into a slot that already holds a place gives that place back first.
  EXPECT_EQ(limiter.Admit("b", again), Verdict::kAdmitted);
  EXPECT_EQ(limiter.OpenForTesting("a"), 0u);
  EXPECT_EQ(limiter.OpenForTesting("b"), 1u);
}

// A connection that counts how often it was asked to close.
struct CountingConnection : Reclaimable {
  void Reclaim() override { ++reclaimed; }
  int reclaimed = 0;
};

TEST(ConnectionLimiterTest, AtTheLimitTheClientsOldestIdleConnectionMakesRoom) {
  ConnectionLimiter limiter(/*max_in_all=*/0, /*max_per_client=*/2);
  auto first = std::make_shared<CountingConnection>();
  auto second = std::make_shared<CountingConnection>();
  auto other_client = std::make_shared<CountingConnection>();
  ConnectionLimiter::Slot a, b, c, d, e;
  ASSERT_EQ(limiter.Admit("10.0.0.1", a), Verdict::kAdmitted);
  ASSERT_EQ(limiter.Admit("10.0.0.1", b), Verdict::kAdmitted);
  ASSERT_EQ(limiter.Admit("10.0.0.2", c), Verdict::kAdmitted);
  a.Track(first);
  b.Track(second);
  c.Track(other_client);
  // Both busy: refused.
  EXPECT_EQ(limiter.Admit("10.0.0.1", d), Verdict::kTooManyFromClient);
  // Another client's idle connection is not this client's to take.
  c.Idle();
  EXPECT_EQ(limiter.Admit("10.0.0.1", d), Verdict::kTooManyFromClient);
  // Idle, then busy again: not reclaimable.
  a.Idle();
  a.Busy();
  EXPECT_EQ(limiter.Admit("10.0.0.1", d), Verdict::kTooManyFromClient);
  // Both idle: the older one (idle first) is closed for the newcomer.
  b.Idle();
  a.Idle();
  EXPECT_EQ(limiter.Admit("10.0.0.1", d), Verdict::kAdmitted);
  EXPECT_EQ(second->reclaimed, 1);
  EXPECT_EQ(first->reclaimed, 0);
  EXPECT_EQ(other_client->reclaimed, 0);
  EXPECT_EQ(limiter.OpenForTesting("10.0.0.1"), 2u);
  // The reclaimed session ending later gives nothing back twice.
  b = {};
  EXPECT_EQ(limiter.OpenForTesting("10.0.0.1"), 2u);
  EXPECT_EQ(limiter.Admit("10.0.0.1", e), Verdict::kAdmitted);  // takes `first`, still idle
  EXPECT_EQ(first->reclaimed, 1);
}

TEST(ConnectionLimiterTest, AtTheTotalTheOldestIdleConnectionOfAnyClientMakesRoom) {
  ConnectionLimiter limiter(/*max_in_all=*/2, /*max_per_client=*/0);
  auto idle = std::make_shared<CountingConnection>();
  ConnectionLimiter::Slot a, b, c, d;
  ASSERT_EQ(limiter.Admit("10.0.0.1", a), Verdict::kAdmitted);
  ASSERT_EQ(limiter.Admit("10.0.0.2", b), Verdict::kAdmitted);
  EXPECT_EQ(limiter.Admit("10.0.0.3", c), Verdict::kTooManyInAll);
  a.Track(idle);
  a.Idle();
  EXPECT_EQ(limiter.Admit("10.0.0.3", c), Verdict::kAdmitted);
  EXPECT_EQ(idle->reclaimed, 1);
  EXPECT_EQ(limiter.OpenForTesting("10.0.0.1"), 0u);
  EXPECT_EQ(limiter.Admit("10.0.0.4", d), Verdict::kTooManyInAll);
}

}  // namespace
}  // namespace openalb
