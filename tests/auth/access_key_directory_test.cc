#include "auth/access_key_directory.h"

#include <gtest/gtest.h>

#include <thread>

#include "auth/credential_factory.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

using testing::TempDir;

// A real SQLite store in a temp dir and the factory that fills it.
class CredentialsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<SqliteStore> store_ = std::move(*SqliteStore::Create(dir_.File("db")));
  SystemClock clock_;
  SecureRandom random_;
  SecretBox box_{SecretBox::Key{1, 2, 3}, random_};
  CredentialFactory factory_{*store_, box_, random_, clock_};
};

using AccessKeyDirectoryTest = CredentialsTest;
using CredentialFactoryTest = CredentialsTest;

TEST_F(AccessKeyDirectoryTest, FindsKeysLoadedFromTheStore) {
  auto created = factory_.CreateAccount("a");
  ASSERT_TRUE(created);
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  auto found = keys.Find(created->root_key.access_key_id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret, created->root_key.secret);
  EXPECT_EQ(found->account_id, created->account.account_id);
  EXPECT_FALSE(keys.Find("LTAInothere"));
}

TEST_F(AccessKeyDirectoryTest, SeesKeysDeletedByAnotherProcessAfterRefresh) {
  ASSERT_TRUE(store_->CreateAccount({"1234567890123456", "a", "t"}));
  ASSERT_TRUE(store_->CreateAccessKey({"LTAI1", "1234567890123456", "s", true, "t"}));
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  ASSERT_TRUE(keys.Find("LTAI1"));

  auto cli_store = SqliteStore::Create(dir_.File("db"));  // as `openalb keys delete` would
  ASSERT_TRUE(*(*cli_store)->DeleteAccessKey("LTAI1"));
  ASSERT_TRUE(keys.RefreshIfChanged());
  EXPECT_FALSE(keys.Find("LTAI1"));
}

TEST_F(AccessKeyDirectoryTest, ANewKeyIsFoundAtOnceThroughTheMissReload) {
  ASSERT_TRUE(store_->CreateAccount({"1234567890123456", "a", "t"}));
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  auto cli_store = SqliteStore::Create(dir_.File("db"));
  ASSERT_TRUE((*cli_store)->CreateAccessKey({"LTAI2", "1234567890123456", "s", true, "t"}));
  EXPECT_TRUE(keys.Find("LTAI2"));
  // Another key made right after (well within the miss-reload interval) works at once too;
  // an unknown key in between does not make it wait.
  EXPECT_FALSE(keys.Find("LTAIunknown"));
  ASSERT_TRUE((*cli_store)->CreateAccessKey({"LTAI3", "1234567890123456", "s", true, "t"}));
  EXPECT_TRUE(keys.Find("LTAI3"));
}

// A RAM user "ops" in the account with a key, and the policy `document` attached as "p".
void AddUser(SqliteStore& store, const std::string& document) {
  ASSERT_TRUE(store.CreateAccount({"1234567890123456", "a", "t"}));
  ASSERT_TRUE(store.Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertUser({"1234567890123456", "ops", "t"}); !r) return r;
    if (auto r = tx.InsertPolicy({"1234567890123456", "p", document, "t"}); !r) return r;
    return tx.InsertPolicyAttachment({"1234567890123456", "p", "ops"});
  }));
  ASSERT_TRUE(store.CreateAccessKey({"LTAIops", "1234567890123456", "s", true, "t", "ops"}));
}

RamRequest Describe() {
  return {"alb:DescribeRegions", "acs:alb:cn-hangzhou:1234567890123456:*", "127.0.0.1", false,
          std::chrono::system_clock::now()};
}

TEST_F(AccessKeyDirectoryTest, AUsersKeyCarriesItsParsedPolicies) {
  AddUser(*store_, R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"alb:Describe*",
                      "Resource":"*"}]})");
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  auto found = keys.Find("LTAIops");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_name, "ops");
  ASSERT_TRUE(found->policies);
  ASSERT_EQ(found->policies->policies.size(), 1u);
  EXPECT_EQ(found->policies->policies[0].name, "p");
  EXPECT_FALSE(found->policies->unusable);
  EXPECT_EQ(EvaluatePolicies(found->policies->policies, Describe(), nullptr), RamDecision::kAllow);
}

TEST_F(AccessKeyDirectoryTest, PolicyChangesAndDeletedUsersApplyAfterRefresh) {
  AddUser(*store_,
          R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})");
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  auto cli_store = std::move(*SqliteStore::Create(dir_.File("db")));  // as the CLI would
  ASSERT_TRUE(cli_store->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    auto removed = tx.DeletePolicyAttachment({"1234567890123456", "p", "ops"});
    if (!removed) return Fail(removed.error());
    EXPECT_TRUE(*removed);
    return {};
  }));
  ASSERT_TRUE(keys.RefreshIfChanged());
  auto found = keys.Find("LTAIops");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->policies->policies.empty());  // nothing attached: nothing allowed

  ASSERT_TRUE(cli_store->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.DeleteUser("1234567890123456", "ops"); }));
  ASSERT_TRUE(keys.RefreshIfChanged());
  EXPECT_FALSE(keys.Find("LTAIops"));  // its key went with it
}

TEST_F(AccessKeyDirectoryTest, APolicyThatNoLongerParsesDeniesTheUserEverything) {
  // Written behind the CLI's back (the CLI validates): the user must not be judged without it.
  AddUser(*store_, R"({"Version":"1","Statement":[{"Effect":"Deny","Action":"*",)");
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  auto found = keys.Find("LTAIops");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->policies->unusable);
}

TEST_F(CredentialFactoryTest, MakesIdsInTheFormatsRealClientsExpect) {
  auto created = factory_.CreateAccount("a");
  ASSERT_TRUE(created);
  const auto& account_id = created->account.account_id;
  EXPECT_EQ(account_id.size(), 16u);
  EXPECT_EQ(account_id.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_NE(account_id[0], '0');
  EXPECT_TRUE(created->root_key.access_key_id.starts_with("LTAI"));
  EXPECT_EQ(created->root_key.access_key_id.size(), 24u);
  EXPECT_EQ(created->root_key.secret.size(), 30u);
  auto second = factory_.CreateAccessKey(account_id);
  ASSERT_TRUE(second);
  EXPECT_NE(second->secret, created->root_key.secret);
}

}  // namespace
}  // namespace openalb
