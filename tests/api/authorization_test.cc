// Authorization in the request pipeline: a RAM user's request is judged by its policies
// against the action's resource before the handler runs; a denial is 403
// Forbidden.NoPermission with AccessDeniedDetail in JSON and XML; every mutating request —
// allowed, denied or failed — leaves one audit entry with the ARN it was judged on.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <sqlite3.h>

#include "alb/certificates.h"
#include "support/api_harness.h"
#include "support/test_certificates.h"

namespace openalb {
namespace {

using testing::ApiHarness;
using testing::kAccountId;
using AuthzJson = nlohmann::json;

constexpr char kUserKey[] = "LTAIuserkey0000000000001";
constexpr char kUserSecret[] = "userSecret0123456789abcdefghij";

// The harness with a RAM user "ops" whose one policy is `statements`.
void AddUser(ApiHarness& api, const std::string& statements) {
  ASSERT_TRUE(api.store().Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertUser({kAccountId, "ops", "t"}); !r) return r;
    std::string document = R"({"Version":"1","Statement":[)" + statements + "]}";
    if (auto r = tx.InsertPolicy({kAccountId, "ops-policy", document, "t"}); !r) return r;
    return tx.InsertPolicyAttachment({kAccountId, "ops-policy", "ops"});
  }));
  ASSERT_TRUE(api.store().CreateAccessKey({kUserKey, kAccountId, kUserSecret, true, "t", "ops"}));
  ASSERT_TRUE(api.keys().Load());
}

HttpRequestView AsUser(ApiHarness& api, std::map<std::string, std::string> params) {
  params["AccessKeyId"] = kUserKey;
  return api.SignedGet(std::move(params), kUserSecret);
}

std::vector<AuditEntry> Audit(ApiHarness& api) {
  return *InTransaction<std::vector<AuditEntry>>(
      api.store(), TxMode::kRead, [](StoreTx& tx) { return tx.ListAuditEntries("", 0, 100); });
}

TEST(AuthorizationTest, ADeniedUserGetsNoPermissionWithTheDetailRealAlbGives) {
  ApiHarness api;
  AddUser(api, R"({"Effect":"Allow","Action":"alb:List*","Resource":"*"})");
  auto reply = api.Send(AsUser(api, {}));  // DescribeRegions is not a List* action
  ASSERT_EQ(reply.status, 403) << reply.body;
  auto body = AuthzJson::parse(reply.body);
  EXPECT_EQ(body["Code"], "Forbidden.NoPermission");
  EXPECT_NE(body["Message"].get<std::string>().find("alb:DescribeRegions"), std::string::npos);
  const AuthzJson& detail = body["AccessDeniedDetail"];
  EXPECT_EQ(detail["NoPermissionType"], "ImplicitDeny");
  EXPECT_EQ(detail["AuthAction"], "alb:DescribeRegions");
  EXPECT_EQ(detail["AuthPrincipalOwnerId"], kAccountId);
  EXPECT_EQ(detail["AuthPrincipalDisplayName"], "ops");
  EXPECT_EQ(detail["AuthPrincipalType"], "SubUser");
  EXPECT_FALSE(detail["EncodedDiagnosticMessage"].get<std::string>().empty());

  reply = api.Send(AsUser(api, {{"Format", "XML"}}));
  ASSERT_EQ(reply.status, 403);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(reply.body.c_str())) << reply.body;
  EXPECT_STREQ(doc.child("Error").child_value("Code"), "Forbidden.NoPermission");
  EXPECT_STREQ(doc.child("Error").child("AccessDeniedDetail").child_value("NoPermissionType"),
               "ImplicitDeny");

  // The account's root key is not judged by policies.
  EXPECT_EQ(api.Send(api.SignedGet({})).status, 200);
  // Reads are not audited.
  EXPECT_TRUE(Audit(api).empty());
}

TEST(AuthorizationTest, AnAllowedUserIsServedAndAnExplicitDenyNamesItsPolicy) {
  ApiHarness api;
  AddUser(api, R"({"Effect":"Allow","Action":"alb:*","Resource":"*"},
                  {"Effect":"Deny","Action":"alb:DeleteLoadBalancer",
                   "Resource":"acs:alb:*:*:loadbalancer/alb-kept*"})");
  EXPECT_EQ(api.Send(AsUser(api, {})).status, 200);
  auto reply = api.Send(
      AsUser(api, {{"Action", "DeleteLoadBalancer"}, {"LoadBalancerId", "alb-keptforever"}}));
  ASSERT_EQ(reply.status, 403) << reply.body;
  auto body = AuthzJson::parse(reply.body);
  EXPECT_EQ(body["AccessDeniedDetail"]["NoPermissionType"], "ExplicitDeny");
  // Allowed, and then the handler answers: there is no such load balancer.
  reply =
      api.Send(AsUser(api, {{"Action", "DeleteLoadBalancer"}, {"LoadBalancerId", "alb-other"}}));
  EXPECT_EQ(reply.status, 404) << reply.body;

  auto audit = Audit(api);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].result, "Denied");
  EXPECT_EQ(audit[0].code, "Forbidden.NoPermission");
  EXPECT_EQ(audit[0].resource,
            std::string("acs:alb:cn-hangzhou:") + kAccountId + ":loadbalancer/alb-keptforever");
  EXPECT_EQ(audit[0].user_name, "ops");
  EXPECT_EQ(audit[0].access_key_id, kUserKey);
  EXPECT_EQ(audit[0].action, "alb:DeleteLoadBalancer");
  EXPECT_EQ(audit[1].result, "Failed");
  EXPECT_EQ(audit[1].code, "ResourceNotFound.LoadBalancer");
}

TEST(AuthorizationTest, AListenerActionIsJudgedOnItsLoadBalancerAndAuditedWithTheChange) {
  ApiHarness api;
  // As the root: a load balancer (its job finished) and an HTTP listener on it.
  auto created = api.Send(api.SignedGet({{"Action", "CreateLoadBalancer"},
                                         {"LoadBalancerEdition", "Basic"},
                                         {"VpcId", "vpc-1"},
                                         {"AddressType", "Internet"},
                                         {"LoadBalancerName", "lb"}}));
  ASSERT_EQ(created.status, 200) << created.body;
  std::string lb = AuthzJson::parse(created.body)["LoadBalancerId"];
  ASSERT_TRUE(api.worker().RunOnce());
  auto listener = api.Send(api.SignedGet({{"Action", "CreateListener"},
                                          {"LoadBalancerId", lb},
                                          {"ListenerProtocol", "HTTP"},
                                          {"ListenerPort", "80"}}));
  ASSERT_EQ(listener.status, 200) << listener.body;
  std::string listener_id = AuthzJson::parse(listener.body)["ListenerId"];
  std::string request_id = AuthzJson::parse(listener.body)["RequestId"];
  ASSERT_TRUE(api.worker().RunOnce());

  AddUser(api, R"({"Effect":"Allow","Action":"*","Resource":"*"},
                  {"Effect":"Deny","Action":"alb:StopListener","Resource":"*:loadbalancer/)" +
                   lb + R"("})");
  auto stop = api.Send(AsUser(api, {{"Action", "StopListener"}, {"ListenerId", listener_id}}));
  EXPECT_EQ(stop.status, 403) << stop.body;
  auto get =
      api.Send(AsUser(api, {{"Action", "GetListenerAttribute"}, {"ListenerId", listener_id}}));
  EXPECT_EQ(get.status, 200) << get.body;
  auto missing = api.Send(AsUser(api, {{"Action", "StopListener"}, {"ListenerId", "lsr-none"}}));
  EXPECT_EQ(missing.status, 404) << missing.body;

  auto audit = Audit(api);
  const std::string arn = std::string("acs:alb:cn-hangzhou:") + kAccountId + ":loadbalancer/" + lb;
  ASSERT_EQ(audit.size(), 4u);
  EXPECT_EQ(audit[0].action, "alb:CreateLoadBalancer");
  EXPECT_EQ(audit[0].resource,
            std::string("acs:alb:cn-hangzhou:") + kAccountId + ":loadbalancer/*");
  EXPECT_EQ(audit[1].action, "alb:CreateListener");
  EXPECT_EQ(audit[1].resource, arn);
  EXPECT_EQ(audit[1].request_id, request_id);
  EXPECT_EQ(audit[1].result, "Success");
  EXPECT_EQ(audit[1].user_name, "");
  EXPECT_EQ(audit[2].resource, arn);
  EXPECT_EQ(audit[2].result, "Denied");
  EXPECT_EQ(audit[3].resource,
            std::string("acs:alb:cn-hangzhou:") + kAccountId + ":listener/lsr-none");
  EXPECT_EQ(audit[3].code, "ResourceNotFound.Listener");
}

// A certificate uploaded by the account's root, as its CAS number.
std::int64_t UploadCertificate(ApiHarness& api) {
  api.clock().Set(std::chrono::system_clock::now());
  auto generated = testing::MakeCertificate({});
  auto imported =
      ImportCertificate(api.domain(), {kAccountId, "kept", generated.cert_pem, generated.key_pem});
  EXPECT_TRUE(imported);
  return imported ? imported->number : 0;
}

bool CertificateExists(ApiHarness& api, std::int64_t number) {
  return GetCertificate(api.domain(), kAccountId, number).has_value();
}

TEST(AuthorizationTest, ADenyOnACertificateCannotBeBypassedBySpellingItsIdAnotherWay) {
  ApiHarness api;
  const std::int64_t number = UploadCertificate(api);
  const std::string id = std::to_string(number);
  AddUser(api, R"({"Effect":"Allow","Action":"*","Resource":"*"},
                  {"Effect":"Deny","Action":"yundun-cert:DeleteUserCertificate",
                   "Resource":"acs:yundun-cert:*:*:certificate/)" +
                   id + R"("})");
  auto cas = [&](const std::string& cert_id) {
    return api.Send(AsUser(
        api,
        {{"Action", "DeleteUserCertificate"}, {"Version", "2020-04-07"}, {"CertId", cert_id}}));
  };
  EXPECT_EQ(cas(id).status, 403);
  for (const std::string& spelling :
       std::vector<std::string>{"00" + id, "+" + id, " " + id, id + " ", id + ".0"}) {
    auto reply = cas(spelling);
    EXPECT_EQ(reply.status, 400) << spelling << ": " << reply.body;
    EXPECT_EQ(AuthzJson::parse(reply.body)["Code"], "InvalidParameter") << spelling;
  }
  EXPECT_TRUE(CertificateExists(api, number));
  // A read as the root is held to the same spelling.
  auto read = api.Send(api.SignedGet(
      {{"Action", "GetUserCertificateDetail"}, {"Version", "2020-04-07"}, {"CertId", "0" + id}}));
  EXPECT_EQ(read.status, 400) << read.body;

  // Every attempt is audited; the one RAM judged on the canonical ARN, the others with none.
  auto audit = Audit(api);
  ASSERT_EQ(audit.size(), 6u);
  EXPECT_EQ(audit[0].result, "Denied");
  EXPECT_EQ(audit[0].resource,
            std::string("acs:yundun-cert:cn-hangzhou:") + kAccountId + ":certificate/" + id);
  for (size_t i = 1; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].result, "Failed");
    EXPECT_EQ(audit[i].code, "InvalidParameter");
    EXPECT_EQ(audit[i].resource, "");
  }
}

TEST(AuthorizationTest, AMutatingRequestThatFailsBeforeItsHandlerIsStillAudited) {
  ApiHarness api;
  // No LoadBalancerId; then another region.
  EXPECT_EQ(api.Send(api.SignedGet({{"Action", "DeleteLoadBalancer"}})).status, 400);
  EXPECT_EQ(api.Send(api.SignedGet({{"Action", "DeleteLoadBalancer"},
                                    {"LoadBalancerId", "alb-x"},
                                    {"RegionId", "cn-beijing"}}))
                .status,
            400);
  auto audit = Audit(api);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "alb:DeleteLoadBalancer");
  EXPECT_EQ(audit[0].code, "MissingLoadBalancerId");
  EXPECT_EQ(audit[0].result, "Failed");
  EXPECT_EQ(audit[0].access_key_id, testing::kAccessKeyId);
  EXPECT_EQ(audit[1].code, "InvalidRegionId");
}

TEST(AuthorizationTest, AChangeIsNeverCommittedWithoutItsAuditEntry) {
  ApiHarness api;
  // Another connection to the same file makes every audit insert fail: a change whose
  // entry were written after its commit would still be made.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(api.DatabasePath().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log "
                         "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto created = api.Send(api.SignedGet({{"Action", "CreateLoadBalancer"},
                                         {"LoadBalancerEdition", "Basic"},
                                         {"VpcId", "vpc-1"},
                                         {"AddressType", "Internet"},
                                         {"LoadBalancerName", "lb"}}));
  EXPECT_EQ(created.status, 500) << created.body;
  auto listed = api.Send(api.SignedGet({{"Action", "ListLoadBalancers"}}));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(AuthzJson::parse(listed.body)["TotalCount"], 0) << listed.body;
}

TEST(AuthorizationTest, AClientTokenIsOnlyEverMatchedWithinItsOwnAccount) {
  ApiHarness api;
  const std::string other_key = "LTAIotheraccountkey00001", other_secret = "otherSecret0000";
  api.AddAccount("2222222222222222", other_key, other_secret);
  auto create = [&](const std::string& key, const std::string& secret) {
    auto reply = api.Send(api.SignedGet({{"AccessKeyId", key},
                                         {"Action", "CreateLoadBalancer"},
                                         {"LoadBalancerEdition", "Basic"},
                                         {"VpcId", "vpc-1"},
                                         {"AddressType", "Internet"},
                                         {"LoadBalancerName", "lb"},
                                         {"ClientToken", "shared-token-1"}},
                                        secret));
    EXPECT_EQ(reply.status, 200) << reply.body;
    return AuthzJson::parse(reply.body);
  };
  auto mine = create(testing::kAccessKeyId, testing::kSecret);
  auto theirs = create(other_key, other_secret);
  // The same token in another account is a new request: its own load balancer and job,
  // not the first account's answer.
  EXPECT_NE(theirs["LoadBalancerId"], mine["LoadBalancerId"]);
  EXPECT_NE(theirs["JobId"], mine["JobId"]);
  auto listed = api.Send(
      api.SignedGet({{"AccessKeyId", other_key}, {"Action", "ListLoadBalancers"}}, other_secret));
  auto body = AuthzJson::parse(listed.body);
  ASSERT_EQ(body["TotalCount"], 1) << listed.body;
  EXPECT_EQ(body["LoadBalancers"][0]["LoadBalancerId"], theirs["LoadBalancerId"]);
  // Within one account the token still answers the first request again.
  EXPECT_EQ(create(other_key, other_secret)["LoadBalancerId"], theirs["LoadBalancerId"]);
}

}  // namespace
}  // namespace openalb
