// When a job may call itself done on a shared store: every live data-plane node applied its
// version; silent nodes and nodes without listeners do not count; a node's failure counts
// only for the listeners the job touches.
#include "fleet/node_liveness.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

constexpr std::int64_t kNow = 1'000'000;
constexpr std::int64_t kLease = 5'000;

NodeRecord Node(const std::string& id, std::int64_t applied, std::int64_t heartbeat = kNow - 100,
                const std::string& roles = "api,worker,dataplane") {
  return {.node_id = id, .roles = roles, .applied_version = applied, .heartbeat_ms = heartbeat};
}

TEST(NodeLivenessTest, RolesAreWholeWords) {
  EXPECT_TRUE(HasRole("api,worker,dataplane", "dataplane"));
  EXPECT_TRUE(HasRole("dataplane", "dataplane"));
  EXPECT_FALSE(HasRole("api,worker", "dataplane"));
  EXPECT_FALSE(HasRole("dataplanes", "dataplane"));
  EXPECT_FALSE(HasRole("", "api"));
}

TEST(NodeLivenessTest, AVersionIsAcknowledgedWhenEveryLiveDataPlaneNodeAppliedIt) {
  EXPECT_TRUE(AcknowledgementOf(7, {}, {Node("a", 7), Node("b", 9)}, kNow, kLease).acknowledged);
  EXPECT_FALSE(AcknowledgementOf(7, {}, {Node("a", 7), Node("b", 6)}, kNow, kLease).acknowledged);
}

TEST(NodeLivenessTest, ASilentNodeOrOneWithoutListenersHoldsNothingBack) {
  const auto silent = Node("b", 1, kNow - kLease - 1);
  const auto api_only = Node("c", 0, kNow, "api,worker");
  EXPECT_TRUE(
      AcknowledgementOf(7, {}, {Node("a", 7), silent, api_only}, kNow, kLease).acknowledged);
  // Just inside the lease it still counts.
  EXPECT_FALSE(
      AcknowledgementOf(7, {}, {Node("a", 7), Node("b", 1, kNow - kLease + 1)}, kNow, kLease)
          .acknowledged);
  // With no data-plane node at all there is nobody to wait for.
  EXPECT_TRUE(AcknowledgementOf(7, {}, {api_only}, kNow, kLease).acknowledged);
}

TEST(NodeLivenessTest, AFailureFailsOnlyTheJobsOfItsListener) {
  auto failing = Node("b", 7);
  failing.apply_error = "OperationFailed.ListenerPort: busy";
  failing.error_version = 7;
  failing.error_listener_id = "lsr-busy";
  auto mine = AcknowledgementOf(7, {"lsr-busy"}, {Node("a", 7), failing}, kNow, kLease);
  EXPECT_FALSE(mine.acknowledged);
  EXPECT_EQ(mine.failed_node, "b");
  EXPECT_EQ(mine.failure, "OperationFailed.ListenerPort: busy");
  // Another listener's job is not failed by it.
  auto other = AcknowledgementOf(7, {"lsr-other"}, {Node("a", 7), failing}, kNow, kLease);
  EXPECT_TRUE(other.acknowledged);
  // A failure at an older version than the job's is history.
  EXPECT_TRUE(AcknowledgementOf(8, {"lsr-busy"},
                                {Node("a", 8),
                                 [&] {
                                   auto n = failing;
                                   n.applied_version = 8;
                                   return n;
                                 }()},
                                kNow, kLease)
                  .acknowledged);
}

TEST(NodeLivenessTest, ANodeListsEveryListenerItCannotServe) {
  auto failing = Node("b", 9);
  failing.apply_error = "OperationFailed.ListenerPort: busy";
  failing.error_version = 9;
  failing.error_listener_id = "lsr-old,lsr-new";
  EXPECT_FALSE(AcknowledgementOf(9, {"lsr-old"}, {failing}, kNow, kLease).acknowledged);
  EXPECT_FALSE(AcknowledgementOf(9, {"lsr-new"}, {failing}, kNow, kLease).acknowledged);
  EXPECT_TRUE(AcknowledgementOf(9, {"lsr-ol"}, {failing}, kNow, kLease).acknowledged);
  EXPECT_TRUE(ListsListener("lsr-a,lsr-b", "lsr-b"));
  EXPECT_FALSE(ListsListener("lsr-a,lsr-b", ""));
  EXPECT_FALSE(ListsListener("lsr-ab", "lsr-a"));
}

}  // namespace
}  // namespace openalb
