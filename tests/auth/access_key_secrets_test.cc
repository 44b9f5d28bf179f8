// AccessKey secrets at rest: sealed when created, bound to their key id, opened only into
// memory; secrets an older openalb stored in plain text are sealed at start-up and scrubbed
// from the database and its WAL, so no secret is left in the files' bytes.
#include "auth/access_key_secrets.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "auth/access_key_directory.h"
#include "auth/credential_factory.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

using testing::TempDir;

// Every byte of the database and its side files.
std::string StoreFilesBytes(const TempDir& dir) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::ifstream in(dir.File("openalb.db") + suffix, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

class AccessKeySecretsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<SqliteStore> store_ = std::move(*SqliteStore::Create(dir_.File("openalb.db")));
  SecureRandom random_;
  SystemClock clock_;
  SecretBox box_{SecretBox::Key{9, 9, 9}, random_};
};

TEST_F(AccessKeySecretsTest, ASealedSecretOpensOnlyForItsOwnKeyId) {
  std::string sealed = SealAccessKeySecret(box_, "LTAIa", "the-secret");
  EXPECT_TRUE(IsSealedAccessKeySecret(sealed));
  EXPECT_EQ(sealed.find("the-secret"), std::string::npos);
  EXPECT_EQ(*OpenAccessKeySecret(box_, "LTAIa", sealed), "the-secret");
  EXPECT_FALSE(OpenAccessKeySecret(box_, "LTAIb", sealed));
  SecretBox other(SecretBox::Key{1}, random_);
  EXPECT_FALSE(OpenAccessKeySecret(other, "LTAIa", sealed));
}

TEST_F(AccessKeySecretsTest, CreatedKeysAreStoredSealedAndStillAuthenticate) {
  CredentialFactory factory(*store_, box_, random_, clock_);
  auto created = factory.CreateAccount("a");
  ASSERT_TRUE(created);
  const std::string secret = created->root_key.secret;
  auto stored = store_->ListAccessKeys();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_TRUE(IsSealedAccessKeySecret(stored->front().secret));
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  EXPECT_EQ(keys.Find(created->root_key.access_key_id)->secret, secret);
  EXPECT_EQ(StoreFilesBytes(dir_).find(secret), std::string::npos);
}

TEST_F(AccessKeySecretsTest, PlainSecretsFromBeforeAreSealedAndLeaveNoTraceInTheFiles) {
  const std::string plain = "PlainSecretFromAnOlderRelease1";
  ASSERT_TRUE(store_->CreateAccount({"1234567890123456", "old", "t"}));
  ASSERT_TRUE(store_->CreateAccessKey({"LTAIold", "1234567890123456", plain, true, "t"}));
  ASSERT_NE(StoreFilesBytes(dir_).find(plain), std::string::npos);  // what an old release left

  auto sealed = SealPlainAccessKeySecrets(*store_, box_);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*sealed, 1);
  EXPECT_EQ(StoreFilesBytes(dir_).find(plain), std::string::npos);
  EXPECT_EQ(*SealPlainAccessKeySecrets(*store_, box_), 0);  // once
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  EXPECT_EQ(keys.Find("LTAIold")->secret, plain);
}

TEST_F(AccessKeySecretsTest, AKeyWhoseSecretDoesNotOpenIsRefusedAndTheOthersWork) {
  CredentialFactory factory(*store_, box_, random_, clock_);
  auto created = factory.CreateAccount("a");
  ASSERT_TRUE(created);
  SecretBox other(SecretBox::Key{1}, random_);
  ASSERT_TRUE(store_->CreateAccessKey({"LTAIforeign", created->account.account_id,
                                       SealAccessKeySecret(other, "LTAIforeign", "x"), true, "t"}));
  AccessKeyDirectory keys(*store_, box_);
  ASSERT_TRUE(keys.Load());
  EXPECT_FALSE(keys.Find("LTAIforeign"));
  EXPECT_TRUE(keys.Find(created->root_key.access_key_id));
}

}  // namespace
}  // namespace openalb
