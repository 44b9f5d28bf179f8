// What a tag may be (ALB's rules for keys and values) and how a List's Tag filter narrows the
// ids it already filters by.
#include "alb/tags.h"

#include <gtest/gtest.h>

#include "support/result_code.h"

namespace openalb {
namespace {

using testing::CodeOf;

TEST(TagsTest, KeysAndValuesFollowAlbsRules) {
  EXPECT_EQ(CodeOf(ValidateTags({{"env", "prod"}, {"team", ""}}, "Tag")), "ok");
  EXPECT_EQ(CodeOf(ValidateTags({{std::string(128, 'k'), std::string(128, 'v')}}, "Tag")), "ok");
  EXPECT_EQ(CodeOf(ValidateTags({{"", "v"}}, "Tag")), "MissingTag.1.Key");
  EXPECT_EQ(CodeOf(ValidateTags({{std::string(129, 'k'), "v"}}, "Tag")), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTags({{"k", std::string(129, 'v')}}, "Tag")), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTags({{"aliyun.x", "v"}}, "Tag")), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTags({{"acs:x", "v"}}, "Tag")), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTags({{"k", "http://x"}}, "Tag")), "InvalidParameter");
  auto twice = ValidateTags({{"a", "1"}, {"b", "2"}, {"a", "3"}}, "Tags");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("Tags.3.Key"), std::string::npos) << twice.error().message;
}

TEST(TagsTest, ATagFilterNarrowsTheIdsAListFiltersBy) {
  std::vector<std::string> ids;
  EXPECT_TRUE(NarrowToTagged(ids, std::nullopt));  // no Tag filter: nothing changes
  EXPECT_TRUE(ids.empty());
  EXPECT_TRUE(NarrowToTagged(ids, std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  ids = {"b", "c"};
  EXPECT_TRUE(NarrowToTagged(ids, std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ids, (std::vector<std::string>{"b"}));
  ids = {"c"};
  EXPECT_FALSE(NarrowToTagged(ids, std::vector<std::string>{"a", "b"}));
  ids = {};
  EXPECT_FALSE(NarrowToTagged(ids, std::vector<std::string>{}));  // nothing is tagged so
}

}  // namespace
}  // namespace openalb
