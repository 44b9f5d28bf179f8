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
  CredentialFactory factory_{*store_, random_, clock_};
};

using AccessKeyDirectoryTest = CredentialsTest;
using CredentialFactoryTest = CredentialsTest;

TEST_F(AccessKeyDirectoryTest, FindsKeysLoadedFromTheStore) {
  auto created = factory_.CreateAccount("a");
  ASSERT_TRUE(created);
  AccessKeyDirectory keys(*store_);
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
  AccessKeyDirectory keys(*store_);
  ASSERT_TRUE(keys.Load());
  ASSERT_TRUE(keys.Find("LTAI1"));

  auto cli_store = SqliteStore::Create(dir_.File("db"));  // as `openalb keys delete` would
  ASSERT_TRUE(*(*cli_store)->DeleteAccessKey("LTAI1"));
  ASSERT_TRUE(keys.RefreshIfChanged());
  EXPECT_FALSE(keys.Find("LTAI1"));
}

TEST_F(AccessKeyDirectoryTest, ANewKeyIsFoundAtOnceThroughTheMissReload) {
  ASSERT_TRUE(store_->CreateAccount({"1234567890123456", "a", "t"}));
  AccessKeyDirectory keys(*store_);
  ASSERT_TRUE(keys.Load());
  auto cli_store = SqliteStore::Create(dir_.File("db"));
  ASSERT_TRUE((*cli_store)->CreateAccessKey({"LTAI2", "1234567890123456", "s", true, "t"}));
  EXPECT_TRUE(keys.Find("LTAI2"));
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
