#include "core/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>

namespace openalb {
namespace {

TEST(RandomTest, UuidIsUpperCaseVersion4) {
  SecureRandom random;
  // 8-4-4-4-12 upper-case hex, version nibble 4, variant 8/9/A/B.
  auto shaped = [](const std::string& id) {
    if (id.size() != 36) return false;
    for (size_t i = 0; i < id.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != (id[i] == '-')) return false;
      if (!dash && std::string_view("0123456789ABCDEF").find(id[i]) == std::string_view::npos) {
        return false;
      }
    }
    return id[14] == '4' && std::string_view("89AB").find(id[19]) != std::string_view::npos;
  };
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random.UuidUpper();
    EXPECT_TRUE(shaped(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, FromAlphabetUsesOnlyThatAlphabetAndEveryLetterOfIt) {
  SecureRandom random;
  auto text = random.FromAlphabet("abc", 3000);
  EXPECT_EQ(text.size(), 3000u);
  EXPECT_EQ(text.find_first_not_of("abc"), std::string::npos);
  for (char c : std::string("abc")) EXPECT_GT(std::count(text.begin(), text.end(), c), 800);
}

}  // namespace
}  // namespace openalb
