// How a listener chooses among its servers: smooth weighted round-robin, servers passed
// over while marked down, failing their health check or already tried, source and URL hash on
// a consistent ring, least connections, sticky tokens, and shared per-address state.
#include "dataplane/backend_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace openalb {
namespace {

class BackendPoolTest : public ::testing::Test {
 protected:
  BackendPool::Server Server(int port, int weight) {
    return {registry_.StateFor({"127.0.0.1", port, weight}), weight, nullptr};
  }
  static ServerGroupPolicy With(Scheduler scheduler) {
    ServerGroupPolicy policy;
    policy.scheduler = scheduler;
    return policy;
  }
  static int PortOf(const BackendServerState* state) {
    return state == nullptr ? 0 : state->endpoint().port();
  }
  BackendRegistry registry_;
};

TEST_F(BackendPoolTest, WeightsInterleaveRatherThanBurst) {
  BackendPool pool("sgp-1", {Server(1, 5), Server(2, 1), Server(3, 1)}, With(Scheduler::kWrr));
  std::string order;
  for (int i = 0; i < 14; ++i) order += std::to_string(PortOf(pool.Pick(0, {})));
  EXPECT_EQ(order, "11213111121311");  // a a b a c a a (nginx), twice over
}

TEST_F(BackendPoolTest, CommonFactorsOfWeightsDoNotLengthenTheCycle) {
  BackendPool pool("sgp-1", {Server(1, 60), Server(2, 40)}, With(Scheduler::kWrr));
  std::map<int, int> counts;
  for (int i = 0; i < 5; ++i) ++counts[PortOf(pool.Pick(0, {}))];
  EXPECT_EQ(counts[1], 3);
  EXPECT_EQ(counts[2], 2);
}

TEST_F(BackendPoolTest, ADownOrTriedServerIsPassedOverUntilNoneIsLeft) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1)}, With(Scheduler::kWrr));
  BackendServerState* first = pool.Pick(0, {});
  ASSERT_NE(first, nullptr);
  first->MarkDown(std::chrono::steady_clock::now());
  for (int i = 0; i < 4; ++i) EXPECT_NE(pool.Pick(0, {}), first);
  BackendServerState* second = pool.Pick(0, {});
  EXPECT_EQ(pool.Pick(0, {second}), nullptr);  // the other is down: nothing to try
  EXPECT_TRUE(first->Healthy(std::chrono::steady_clock::now() + BackendServerState::kDownFor));
}

TEST_F(BackendPoolTest, SourceHashSendsAClientToTheSameServer) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1), Server(3, 1)}, With(Scheduler::kSch));
  for (std::uint64_t client = 0; client < 6; ++client) {
    int port = PortOf(pool.Pick(client, {}));
    for (int i = 0; i < 5; ++i) EXPECT_EQ(PortOf(pool.Pick(client, {})), port);
  }
  std::map<int, int> spread;
  for (std::uint64_t client = 0; client < 3000; ++client) ++spread[PortOf(pool.Pick(client, {}))];
  ASSERT_EQ(spread.size(), 3u);
  for (const auto& [port, count] : spread) EXPECT_GT(count, 600) << port;  // about 1,000 each
}

TEST_F(BackendPoolTest, RemovingAServerMovesOnlyItsOwnClients) {
  BackendPool before("sgp-1", {Server(1, 1), Server(2, 1), Server(3, 1), Server(4, 1)},
                     With(Scheduler::kSch));
  BackendPool after("sgp-1", {Server(1, 1), Server(2, 1), Server(4, 1)}, With(Scheduler::kSch));
  int moved = 0;
  for (std::uint64_t client = 0; client < 2000; ++client) {
    const int was = PortOf(before.Pick(client, {}));
    const int now = PortOf(after.Pick(client, {}));
    if (was != 3) {
      EXPECT_EQ(was, now) << client;
    } else {
      ++moved;
      EXPECT_NE(now, 3);
    }
  }
  EXPECT_GT(moved, 0);
}

TEST_F(BackendPoolTest, LeastConnectionsPrefersTheServerWithFewestInFlightPerWeight) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1), Server(3, 2)}, With(Scheduler::kWlc));
  BackendServerState* busy = pool.Pick(0, {});
  ASSERT_NE(busy, nullptr);
  for (int i = 0; i < 3; ++i) busy->BeginRequest();
  for (int i = 0; i < 10; ++i) EXPECT_NE(pool.Pick(0, {}), busy);
  for (int i = 0; i < 3; ++i) busy->EndRequest();
  // Port 3 (weight 2) carries twice what port 1 or 2 (weight 1) does.
  std::map<int, int> in_flight;
  for (int i = 0; i < 8; ++i) {
    BackendServerState* s = pool.Pick(0, {});
    ++in_flight[PortOf(s)];
    s->BeginRequest();
  }
  EXPECT_EQ(in_flight[3], 4);
  EXPECT_EQ(in_flight[1], 2);
  EXPECT_EQ(in_flight[2], 2);
}

TEST_F(BackendPoolTest, AFailedHealthCheckTakesAServerOutAndARecoveryBringsItBack) {
  HealthCheckPolicy check;
  check.enabled = true;
  check.unhealthy_threshold = 2;
  check.healthy_threshold = 2;
  auto health = std::make_shared<ServerHealth>(check);
  BackendPool::Server watched{registry_.StateFor({"127.0.0.1", 1, 1}), 1, health};
  BackendPool pool("sgp-1", {watched, Server(2, 1)}, With(Scheduler::kWrr));
  const HealthReport refused{HealthState::kUnhealthy, "CONNECT_FAIL", "", ""};
  health->Record(refused, false);
  EXPECT_TRUE(health->Up());  // one failure is below the threshold
  health->Record(refused, false);
  EXPECT_FALSE(health->Up());
  EXPECT_EQ(health->Report().reason_code, "CONNECT_FAIL");
  for (int i = 0; i < 6; ++i) EXPECT_EQ(PortOf(pool.Pick(0, {})), 2);
  health->Record({}, true);
  EXPECT_FALSE(health->Up());  // one good answer is below the healthy threshold
  health->Record({}, true);
  EXPECT_TRUE(health->Up());
  EXPECT_EQ(health->Report().state, HealthState::kHealthy);
  std::map<int, int> counts;
  for (int i = 0; i < 6; ++i) ++counts[PortOf(pool.Pick(0, {}))];
  EXPECT_EQ(counts[1], 3);
}

TEST_F(BackendPoolTest, AStickyTokenNamesOneServerOfItsGroupOnly) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1)}, With(Scheduler::kWrr));
  BackendPool other("sgp-2", {Server(1, 1), Server(2, 1)}, With(Scheduler::kWrr));
  BackendServerState* second = pool.Pick(0, {});
  second = pool.Pick(0, {});
  const std::uint64_t token = pool.TokenOf(*second);
  EXPECT_EQ(pool.ServerWithToken(token), second);
  EXPECT_EQ(other.ServerWithToken(token), nullptr);  // another group's token names nothing
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pool.Pick(0, {}, second), second);
  second->MarkDown(std::chrono::steady_clock::now());
  EXPECT_NE(pool.Pick(0, {}, second), second);  // a down server breaks the session
}

TEST_F(BackendPoolTest, AnEmptyGroupPicksNothing) {
  BackendPool pool("sgp-1", {}, With(Scheduler::kWrr));
  EXPECT_EQ(pool.Pick(0, {}), nullptr);
}

TEST_F(BackendPoolTest, OneAddressHasOneStateWhileAnyPoolUsesIt) {
  auto a = registry_.StateFor({"127.0.0.1", 8080, 1});
  auto b = registry_.StateFor({"127.0.0.1", 8080, 50});
  EXPECT_EQ(a, b);  // health and idle connections survive a weight change
  EXPECT_NE(a, registry_.StateFor({"127.0.0.1", 8081, 1}));
  EXPECT_EQ(registry_.StateFor({"not-an-address", 80, 1}), nullptr);
  EXPECT_EQ(a->TakeIdle(std::chrono::steady_clock::now()), -1);
}

}  // namespace
}  // namespace openalb
