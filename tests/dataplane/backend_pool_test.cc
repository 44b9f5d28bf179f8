// How a listener chooses among its servers: smooth weighted round-robin, servers passed
// over while marked down or already tried, source hash, and shared per-address state.
#include "dataplane/backend_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace openalb {
namespace {

class BackendPoolTest : public ::testing::Test {
 protected:
  BackendPool::Server Server(int port, int weight) {
    return {registry_.StateFor({"127.0.0.1", port, weight}), weight};
  }
  static int PortOf(const BackendServerState* state) {
    return state == nullptr ? 0 : state->endpoint().port();
  }
  BackendRegistry registry_;
};

TEST_F(BackendPoolTest, WeightsInterleaveRatherThanBurst) {
  BackendPool pool("sgp-1", {Server(1, 5), Server(2, 1), Server(3, 1)}, false);
  std::string order;
  for (int i = 0; i < 14; ++i) order += std::to_string(PortOf(pool.Pick(0, {})));
  EXPECT_EQ(order, "11213111121311");  // a a b a c a a (nginx), twice over
}

TEST_F(BackendPoolTest, CommonFactorsOfWeightsDoNotLengthenTheCycle) {
  BackendPool pool("sgp-1", {Server(1, 60), Server(2, 40)}, false);
  std::map<int, int> counts;
  for (int i = 0; i < 5; ++i) ++counts[PortOf(pool.Pick(0, {}))];
  EXPECT_EQ(counts[1], 3);
  EXPECT_EQ(counts[2], 2);
}

TEST_F(BackendPoolTest, ADownOrTriedServerIsPassedOverUntilNoneIsLeft) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1)}, false);
  BackendServerState* first = pool.Pick(0, {});
  ASSERT_NE(first, nullptr);
  first->MarkDown(std::chrono::steady_clock::now());
  for (int i = 0; i < 4; ++i) EXPECT_NE(pool.Pick(0, {}), first);
  BackendServerState* second = pool.Pick(0, {});
  EXPECT_EQ(pool.Pick(0, {second}), nullptr);  // the other is down: nothing to try
  EXPECT_TRUE(first->Healthy(std::chrono::steady_clock::now() + BackendServerState::kDownFor));
}

TEST_F(BackendPoolTest, SourceHashSendsAClientToTheSameServer) {
  BackendPool pool("sgp-1", {Server(1, 1), Server(2, 1), Server(3, 1)}, true);
  for (std::uint64_t client = 0; client < 6; ++client) {
    int port = PortOf(pool.Pick(client, {}));
    for (int i = 0; i < 5; ++i) EXPECT_EQ(PortOf(pool.Pick(client, {})), port);
  }
  EXPECT_NE(PortOf(pool.Pick(0, {})), PortOf(pool.Pick(1, {})));
}

TEST_F(BackendPoolTest, AnEmptyGroupPicksNothing) {
  BackendPool pool("sgp-1", {}, false);
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
