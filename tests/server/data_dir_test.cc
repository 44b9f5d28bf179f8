// The sealing key in the data directory: created once, private, stable, and refused when
// damaged rather than silently replaced (which would orphan every sealed private key).
#include "server/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

TEST(DataDirTest, TheSecretKeyIsCreatedOnceWithMode0600AndReadBackTheSame) {
  testing::TempDir dir;
  DataDirPaths paths{dir.path()};
  SecureRandom random;
  auto first = LoadOrCreateSecretKey(paths, random);
  ASSERT_TRUE(first);
  struct stat st {};
  ASSERT_EQ(::stat(paths.secret_key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto second = LoadOrCreateSecretKey(paths, random);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(DataDirTest, ADataDirectoryOthersCanReadIsMadePrivate) {
  testing::TempDir dir;
  DataDirPaths paths{dir.File("data")};
  ASSERT_EQ(::mkdir(paths.root.c_str(), 0755), 0);
  ::chmod(paths.root.c_str(), 0755);
  ASSERT_TRUE(EnsureDataDir(paths));
  EXPECT_EQ(ModeOf(paths.root), 0700u);
}

TEST(DataDirTest, TheDatabaseAndItsWalAreReadableOnlyByTheServersUser) {
  testing::TempDir dir;
  DataDirPaths paths{dir.path()};
  const mode_t old_umask = ::umask(022);  // the usual one, which left them 0644
  auto store = SqliteStore::Create(paths.database());
  ::umask(old_umask);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->CreateAccount({"1234567890123456", "a", "t"}));  // writes the WAL
  for (const char* suffix : {"", "-wal", "-shm"}) {
    EXPECT_EQ(ModeOf(paths.database() + suffix), 0600u) << "openalb.db" << suffix;
  }
  // An existing database left readable by others is narrowed when opened.
  store->reset();
  ::chmod(paths.database().c_str(), 0644);
  ASSERT_TRUE(SqliteStore::Create(paths.database()));
  EXPECT_EQ(ModeOf(paths.database()), 0600u);
}

TEST(DataDirTest, ADamagedSecretKeyIsRefusedNotReplaced) {
  testing::TempDir dir;
  DataDirPaths paths{dir.path()};
  std::ofstream(paths.secret_key()) << "short";
  SecureRandom random;
  auto key = LoadOrCreateSecretKey(paths, random);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().internal.find("32-byte"), std::string::npos);
  std::ifstream in(paths.secret_key());
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "short");
}

}  // namespace
}  // namespace openalb
