// The served-config file a data-plane node restarts from while the store is away: exact
// round trip (sealed keys are bytes), private to the server's user, replaced atomically, and
// refused whole when it does not parse.
#include "fleet/served_snapshot_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace openalb {
namespace {

ServedSnapshot Sample() {
  ListenerConfig https{.listener_id = "lsr-1", .port = 443, .certificates = {}, .forward = {}};
  https.certificates.push_back({"1-cn-hangzhou",
                                "ab:cd",
                                {"a.test", "*.b.test"},
                                true,
                                "-----BEGIN CERTIFICATE-----\n",
                                std::string("\0\x01\xff\"\\", 5),
                                4'102'444'800'000});
  ServerGroupPolicy policy;
  policy.scheduler = Scheduler::kSch;
  policy.health.enabled = true;
  policy.health.codes = {"http_2xx"};
  policy.sticky = {true, false, 1000, "JSESSIONID"};
  policy.tls = true;
  https.tls_policy = {{"TLSv1.2", "TLSv1.3"},
                      {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"}};
  https.forward = ForwardConfig{
      "sgp-1", policy, {{"10.0.0.1", 80, 100, "i-1"}, {"10.0.0.2", 8080, 0, "10.0.0.2"}}};
  ListenerConfig plain{
      .listener_id = "lsr-2", .port = 80, .certificates = {}, .forward = {}, .tls = false};
  // A rule, the group it forwards to and changed attributes survive the file too.
  RuleAction forward_b{.type = "ForwardGroup", .order = 1, .groups = {{"sgp-2", 100}}};
  plain.rules.push_back({"rule-1",
                         10,
                         false,
                         {{.type = "Host", .key = "", .values = {"api.test"}, .pairs = {}}},
                         {forward_b}});
  ServerGroupPolicy grpc;
  grpc.grpc = true;
  plain.rule_groups.push_back(ForwardConfig{"sgp-2", grpc, {{"10.0.0.3", 80, 100, "i-3"}}});
  plain.load_balancer_id = "alb-1";
  plain.options.gzip = false;
  plain.options.idle_timeout_s = 30;
  return {.version = 42, .listeners = {https, plain}};
}

TEST(ServedSnapshotFileTest, WhatIsWrittenReadsBackExactlyAndPrivately) {
  testing::TempDir dir;
  const std::string path = dir.File("served-snapshot.json");
  ASSERT_TRUE(WriteServedSnapshot(path, Sample()));
  auto back = ReadServedSnapshot(path);
  ASSERT_TRUE(back) << back.error().internal;
  EXPECT_EQ(back->version, 42);
  EXPECT_EQ(back->listeners, Sample().listeners);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // The sealed key is not in the file as it is in memory (hex), and nothing else is left over.
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("0001ff225c"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(ServedSnapshotFileTest, AFileThatDoesNotParseIsRefusedWhole) {
  testing::TempDir dir;
  const std::string path = dir.File("served-snapshot.json");
  ASSERT_TRUE(WriteServedSnapshot(path, Sample()));
  std::string text;
  {
    std::ifstream in(path);
    text.assign((std::istreambuf_iterator<char>(in)), {});
  }
  for (const std::string& broken : {text.substr(0, text.size() / 2), std::string("{}"),
                                    std::string("not json"), std::string("")}) {
    std::ofstream(path, std::ios::trunc) << broken;
    auto read = ReadServedSnapshot(path);
    EXPECT_FALSE(read) << broken;
  }
  std::ofstream(path, std::ios::trunc)
      << R"({"version":1,"listeners":[{"id":"l","port":1,"tls":true,
    "certificates":[{"id":"c","fingerprint":"f","names":[],"ecdsa":false,"chain":"",
    "sealed_key":"zz","not_after_ms":0}]}]})";
  EXPECT_FALSE(ReadServedSnapshot(path));  // a sealed key that is not hex
  EXPECT_FALSE(ReadServedSnapshot(dir.File("missing.json")));
}

}  // namespace
}  // namespace openalb
