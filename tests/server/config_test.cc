#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "server/data_dir.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <sys/stat.h>

namespace openalb {
namespace {

using testing::TempDir;

// Loads config as main() does: TOML file, then flags and OPENALB_* variables.
ServerConfig Load(const std::string& toml_path, std::vector<std::string> args) {
  ServerConfig config;
  if (!toml_path.empty()) {
    EXPECT_TRUE(ApplyTomlFile(toml_path, config));
  }
  CLI::App app;
  AddServeOptions(app, config);
  args.insert(args.begin(), "openalb");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return config;
}

TEST(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults) {
  TempDir dir;
  std::string toml = dir.File("openalb.toml");
  std::ofstream(toml) << "listen = \"127.0.0.1:9000\"\nregion_id = \"cn-shanghai\"\n"
                         "data_dir = \"/from/file\"\nthreads = 3\n";
  ::setenv("OPENALB_REGION", "cn-beijing", 1);
  ::setenv("OPENALB_DATA_DIR", "/from/env", 1);
  auto config = Load(toml, {"--data-dir", "/from/flag"});
  ::unsetenv("OPENALB_REGION");
  ::unsetenv("OPENALB_DATA_DIR");
  EXPECT_EQ(config.data_dir, "/from/flag");    // flag over env over file
  EXPECT_EQ(config.region_id, "cn-beijing");   // env over file
  EXPECT_EQ(config.listen, "127.0.0.1:9000");  // file over default
  EXPECT_EQ(config.threads, 3);
  EXPECT_EQ(config.access_log, "stderr");  // default
}

TEST(ConfigTest, LimitsAndTimeoutsComeFromTheFileTheEnvironmentAndFlags) {
  TempDir dir;
  std::string toml = dir.File("openalb.toml");
  std::ofstream(toml) << "header_timeout = \"2s\"\nbody_timeout = \"1500ms\"\n"
                         "max_connections = 100\nmax_connections_per_client = 7\n";
  ::setenv("OPENALB_IDLE_TIMEOUT", "1m", 1);
  auto config = Load(toml, {"--max-connections", "50"});
  ::unsetenv("OPENALB_IDLE_TIMEOUT");
  EXPECT_EQ(config.header_timeout_ms, 2000);
  EXPECT_EQ(config.body_timeout_ms, 1500);
  EXPECT_EQ(config.idle_timeout_ms, 60000);
  EXPECT_EQ(config.max_connections, 50);
  EXPECT_EQ(config.max_connections_per_client, 7);
  ServerConfig bad;
  std::ofstream(dir.File("bad.toml")) << "header_timeout = \"soon\"\n";
  auto refused = ApplyTomlFile(dir.File("bad.toml"), bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("header_timeout"), std::string::npos);
}

TEST(ConfigTest, DataPlaneBoundsAndTheBackendPolicyComeFromEverySource) {
  TempDir dir;
  std::string toml = dir.File("openalb.toml");
  std::ofstream(toml) << "dataplane_header_timeout = \"5s\"\ndataplane_max_connections = 900\n"
                         "dataplane_max_buffered_mib = 16\ntls_ticket_key_rotation = \"30m\"\n"
                         "dataplane_quic_retry_above = 0\n"
                         "backend_allow = [\"10.0.0.0/8\", \"fd00::/8\"]\n"
                         "backend_deny = \"10.9.0.0/16,10.8.0.0/16\"\n";
  ::setenv("OPENALB_DATAPLANE_MAX_CONNECTIONS_PER_CLIENT", "9", 1);
  auto config = Load(toml, {"--dataplane-body-timeout", "2s", "--backend-deny", "127.0.0.0/8",
                            "--backend-deny", "::1/128"});
  ::unsetenv("OPENALB_DATAPLANE_MAX_CONNECTIONS_PER_CLIENT");
  EXPECT_EQ(config.dataplane_header_timeout_ms, 5000);
  EXPECT_EQ(config.dataplane_body_timeout_ms, 2000);
  EXPECT_EQ(config.dataplane_handshake_timeout_ms, 10000);  // the default
  EXPECT_EQ(config.dataplane_max_connections, 900);
  EXPECT_EQ(config.dataplane_max_connections_per_client, 9);
  EXPECT_EQ(config.dataplane_max_buffered_mib, 16);
  EXPECT_EQ(config.dataplane_quic_retry_above, 0);
  EXPECT_EQ(config.tls_ticket_key_rotation_ms, 30 * 60 * 1000);
  EXPECT_EQ(config.backend_allow, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(config.backend_deny, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_TRUE(ValidateServeConfig(config));
  config.backend_allow = {"10.0.0.0/40"};
  auto bad_range = ValidateServeConfig(config);
  ASSERT_FALSE(bad_range);
  EXPECT_NE(bad_range.error().message.find("--backend-allow"), std::string::npos);
  config = {};
  config.dataplane_idle_timeout_ms = 0;
  auto zero = ValidateServeConfig(config);
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("--dataplane-idle-timeout"), std::string::npos);
}

TEST(ConfigTest, UnknownOrMistypedFileSettingsAreErrors) {
  TempDir dir;
  ServerConfig config;
  std::ofstream(dir.File("a.toml")) << "lisen = \"x\"\n";
  auto unknown = ApplyTomlFile(dir.File("a.toml"), config);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown setting lisen"), std::string::npos);
  std::ofstream(dir.File("b.toml")) << "threads = \"two\"\n";
  EXPECT_FALSE(ApplyTomlFile(dir.File("b.toml"), config));
  std::ofstream(dir.File("c.toml")) << "listen = \n";
  EXPECT_FALSE(ApplyTomlFile(dir.File("c.toml"), config));
}

TEST(ConfigTest, ADurationWithoutAUnitIsRefusedNotGuessed) {
  auto bare = ParseDurationMs("2");
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("write 2s or 2ms"), std::string::npos);
  EXPECT_EQ(*ParseDurationMs("0"), 0);
  EXPECT_EQ(*ParseDurationMs("2s"), 2000);
  EXPECT_EQ(*ParseDurationMs("250ms"), 250);
  EXPECT_THROW(Load("", {"--job-delay", "2"}), CLI::ValidationError);
}

TEST(ConfigTest, SettingsThatCannotWorkAreRefusedNamingTheFix) {
  ServerConfig config;
  EXPECT_TRUE(ValidateServeConfig(config));
  config.log_level = "verbose";
  auto level = ValidateServeConfig(config);
  ASSERT_FALSE(level);
  EXPECT_NE(level.error().message.find("--log-level verbose"), std::string::npos);
  EXPECT_THROW(Load("", {"--log-level", "verbose"}), CLI::ValidationError);
  config = {};
  config.tls_cert = "cert.pem";
  auto no_key = ValidateServeConfig(config);
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().message.find("--tls-cert is set without --tls-key"), std::string::npos);
  config = {};
  config.tls_key = "key.pem";
  EXPECT_FALSE(ValidateServeConfig(config));
}

TEST(ConfigTest, AnUnknownFileSettingSuggestsTheOneMeant) {
  TempDir dir;
  ServerConfig config;
  std::ofstream(dir.File("a.toml")) << "region = \"cn-beijing\"\n";
  auto refused = ApplyTomlFile(dir.File("a.toml"), config);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("did you mean region_id?"), std::string::npos);
  std::ofstream(dir.File("b.toml")) << "tls_context_cache = 10\n";
  ASSERT_TRUE(ApplyTomlFile(dir.File("b.toml"), config));
  EXPECT_EQ(config.tls_context_cache, 10);
}

TEST(ConfigTest, SplitsHostAndPort) {
  EXPECT_EQ(*SplitHostPort("127.0.0.1:8080"),
            (std::pair<std::string, std::uint16_t>{"127.0.0.1", 8080}));
  EXPECT_EQ(*SplitHostPort("[::1]:0"), (std::pair<std::string, std::uint16_t>{"::1", 0}));
  EXPECT_FALSE(SplitHostPort("127.0.0.1"));
  EXPECT_FALSE(SplitHostPort("127.0.0.1:70000"));
  EXPECT_FALSE(SplitHostPort("127.0.0.1:8x"));
}

TEST(DataDirTest, FirstStartCreatesOneAccountAndAPrivateCredentialsFile) {
  TempDir dir;
  DataDirPaths paths{dir.File("data")};
  ASSERT_TRUE(EnsureDataDir(paths));
  auto store = SqliteStore::Create(paths.database());
  SystemClock clock;
  SecureRandom random;
  SecretBox box(SecretBox::Key{7}, random);
  CredentialFactory factory(**store, box, random, clock);
  auto first = BootstrapFirstAccount(paths, **store, factory, "cn-hangzhou");
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->has_value());
  struct stat st {};
  ASSERT_EQ(::stat(paths.credentials().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(::stat(paths.root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  std::ifstream in(paths.credentials());
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find((*first)->root_key.secret), std::string::npos);

  auto second = BootstrapFirstAccount(paths, **store, factory, "cn-hangzhou");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ((*store)->ListAccounts()->size(), 1u);
}

}  // namespace
}  // namespace openalb
