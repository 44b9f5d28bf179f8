// The Store contract for access control lists, on both engines: ACL rows, their entries in the
// order added and unique per ACL, listener associations, and what goes with a deleted ACL or
// listener.
#include <gtest/gtest.h>

#include "store/store_contract.h"

namespace openalb {
namespace store_contract_test {

TEST_P(StoreContract, AclsEntriesAndListenerAssociationsRoundTrip) {
  Acl acl{"acl-1", kAccount, "office", "Available", "rg-1", 5};
  Listener listener{.listener_id = "lsr-1",
                    .account_id = kAccount,
                    .load_balancer_id = "alb-1",
                    .protocol = "HTTPS",
                    .port = 443,
                    .status = "Running",
                    .resting_status = "Running"};
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-1")); !r) return r;
    if (auto r = tx.InsertListener(listener); !r) return r;
    if (auto r = tx.InsertAcl(acl); !r) return r;
    if (auto r = tx.PutTag({kAccount, "acl", "acl-1", "k", "v"}); !r) return r;
    for (const char* entry : {"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}) {
      if (auto r = tx.InsertAclEntry({"acl-1", entry, "d", "Adding", "job-1"}); !r) return r;
    }
    return tx.InsertListenerAcl({"lsr-1", "acl-1", "White", "Associating", "job-2"});
  }));
  // An entry is unique in its ACL.
  EXPECT_FALSE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) {
    return tx.InsertAclEntry({"acl-1", "192.0.2.7", "", "Adding", "job-3"});
  }));
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.UpdateAclEntry({"acl-1", "192.0.2.7", "d", "Available", ""}); !r) return r;
    if (auto r = tx.DeleteAclEntry("acl-1", "10.0.0.0/8"); !r) return r;
    return tx.UpdateListenerAcl({"lsr-1", "acl-1", "White", "Associated", ""});
  }));
  auto entries = InTransaction<Page<AclEntry>>(*store_, TxMode::kRead, [](StoreTx& tx) {
    return tx.ListAclEntries("acl-1", {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->items,
            (std::vector<AclEntry>{{"acl-1", "192.0.2.7", "d", "Available", ""},
                                   {"acl-1", "2001:db8::/32", "d", "Adding", "job-1"}}));
  auto counted = InTransaction<int>(*store_, TxMode::kRead,
                                    [](StoreTx& tx) { return tx.CountAclEntries("acl-1"); });
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 2);
  auto relations = InTransaction<Page<ListenerAcl>>(*store_, TxMode::kRead, [](StoreTx& tx) {
    return tx.ListListenerAcls({.acl_id = "acl-1"}, {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(relations);
  EXPECT_EQ(relations->items,
            (std::vector<ListenerAcl>{{"lsr-1", "acl-1", "White", "Associated", ""}}));
  // Another account does not see it; the owner finds it by name.
  auto other = InTransaction<std::optional<Acl>>(
      *store_, TxMode::kRead, [](StoreTx& tx) { return tx.FindAcl(kOther, "acl-1"); });
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
  auto listed = InTransaction<Page<Acl>>(*store_, TxMode::kRead, [](StoreTx& tx) {
    return tx.ListAcls({.account_id = kAccount, .names = {"office"}}, {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0], acl);
  // A deleted listener takes its associations; a deleted ACL its entries and tags.
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.DeleteListener("lsr-1"); !r) return r;
    return tx.DeleteAcl("acl-1");
  }));
  auto after = InTransaction<int>(*store_, TxMode::kRead,
                                  [](StoreTx& tx) { return tx.CountAclEntries("acl-1"); });
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, 0);
  auto tags = InTransaction<Page<ResourceTag>>(*store_, TxMode::kRead, [](StoreTx& tx) {
    return tx.ListTags({.account_id = kAccount}, {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(tags);
  EXPECT_TRUE(tags->items.empty());
}

}  // namespace store_contract_test
}  // namespace openalb
