// The sealing key in the data directory: created once, private, stable, and refused when
// damaged rather than silently replaced (which would orphan every sealed private key).
#include "server/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

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
