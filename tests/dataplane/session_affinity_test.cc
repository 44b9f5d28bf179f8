// Stickiness cookies on Beast's fields: Insert pins with openalb's cookie and re-pins only when
// the server changed; Server prefixes the server's own cookie and strips the prefix on the way
// back; Uch hashes one query parameter.
#include "dataplane/session_affinity.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

namespace http = boost::beast::http;

class SessionAffinityTest : public ::testing::Test {
 protected:
  BackendPool Pool(ServerGroupPolicy policy) {
    return BackendPool("sgp-1",
                       {{registry_.StateFor({"127.0.0.1", 1, 1}), 1, nullptr},
                        {registry_.StateFor({"127.0.0.1", 2, 1}), 1, nullptr}},
                       std::move(policy));
  }
  BackendRegistry registry_;
};

TEST_F(SessionAffinityTest, InsertPinsOnceAndFollowsTheCookie) {
  ServerGroupPolicy policy;
  policy.sticky = {true, true, 600, ""};
  BackendPool pool = Pool(policy);
  http::fields request;
  Affinity none = AffinityOf(pool, request, "/", 7);
  EXPECT_EQ(none.preferred, nullptr);
  BackendServerState* chosen = pool.Pick(none.key, {}, none.preferred);
  http::fields answer;
  StickAnswer(pool, *chosen, none, answer);
  const std::string cookie(answer[http::field::set_cookie]);
  EXPECT_EQ(cookie.find("openalb_server="), 0u);
  EXPECT_NE(cookie.find("; Max-Age=600; Path=/; HttpOnly"), std::string::npos);

  http::fields again;
  again.set(http::field::cookie, "a=1; " + cookie.substr(0, cookie.find(';')));
  Affinity pinned = AffinityOf(pool, again, "/", 7);
  EXPECT_EQ(pinned.preferred, chosen);
  http::fields quiet;
  StickAnswer(pool, *chosen, pinned, quiet);
  EXPECT_EQ(quiet.count(http::field::set_cookie), 0u);  // already pinned there

  http::fields forged;
  forged.set(http::field::cookie, "openalb_server=0123456789abcdef");
  EXPECT_EQ(AffinityOf(pool, forged, "/", 7).preferred, nullptr);
}

TEST_F(SessionAffinityTest, ServerStickinessPrefixesTheServersCookieAndStripsItBack) {
  ServerGroupPolicy policy;
  policy.sticky = {true, false, 1000, "SESSION"};
  BackendPool pool = Pool(policy);
  BackendServerState* chosen = pool.Pick(0, {});
  http::fields answer;
  answer.insert(http::field::set_cookie, "SESSION=abc; Path=/");
  answer.insert(http::field::set_cookie, "other=1");
  StickAnswer(pool, *chosen, {}, answer);
  std::vector<std::string> cookies;
  for (const auto& f : answer) cookies.emplace_back(f.value());
  ASSERT_EQ(cookies.size(), 2u);
  const std::string token = StickyTokenText(pool.TokenOf(*chosen));
  EXPECT_EQ(cookies[0], "SESSION=" + token + "~abc; Path=/");
  EXPECT_EQ(cookies[1], "other=1");

  http::fields request;
  request.set(http::field::cookie, "theme=dark; SESSION=" + token + "~abc");
  Affinity affinity = AffinityOf(pool, request, "/", 0);
  EXPECT_EQ(affinity.preferred, chosen);
  EXPECT_EQ(request[http::field::cookie], "theme=dark; SESSION=abc");
}

TEST_F(SessionAffinityTest, UchHashesTheNamedQueryParameterOnly) {
  ServerGroupPolicy policy;
  policy.scheduler = Scheduler::kUch;
  policy.uch_parameter = "user";
  BackendPool pool = Pool(policy);
  http::fields fields;
  const auto a = AffinityOf(pool, fields, "/x?user=alice&page=1", 1).key;
  EXPECT_EQ(AffinityOf(pool, fields, "/y?page=2&user=alice", 2).key, a);
  EXPECT_NE(AffinityOf(pool, fields, "/x?user=bob", 1).key, a);
  EXPECT_EQ(StickyTokenFrom(StickyTokenText(0x0123456789abcdefULL)), 0x0123456789abcdefULL);
  EXPECT_EQ(StickyTokenFrom("xyz"), 0u);
}

}  // namespace
}  // namespace openalb
