// Data-plane access-log lines and their writer: every line is one valid JSON object whatever
// bytes a client sent (control characters and bytes that are not UTF-8 escaped), credentials
// never appear, absent server facts are null; the writer appends to its file, drops and counts
// what does not fit its buffer instead of waiting, and reopens a rotated file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dataplane/access_log_line.h"
#include "dataplane/access_log_writer.h"

namespace openalb {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AccessLogLineTest, IsOneJsonObjectWhateverTheClientSent) {
  AccessLogFields fields;
  fields.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764576000123));
  fields.load_balancer_id = "alb-1";
  fields.listener_id = "lsn-1";
  fields.listener_port = 443;
  fields.client_ip = "192.0.2.1";
  fields.client_port = 50000;
  fields.tls_version = "TLSv1.3";
  fields.sni = "a\"b\\c";
  const std::string uri = std::string("/x?y=\n\r\t\x01") + "\xff\xfe" + "\"";
  fields.uri = uri;
  fields.method = "GET";
  fields.status = 200;
  fields.request_time = std::chrono::microseconds(12345);
  const std::string line = FormatAccessLogLine(fields);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["time"], "2025-12-01T08:00:00.123Z");
  EXPECT_EQ(json["sni"], "a\"b\\c");
  EXPECT_EQ(json["request_uri"], std::string("/x?y=\n\r\t\x01") + "\u00ff\u00fe\"");
  EXPECT_EQ(json["request_time"], 0.012);
  EXPECT_TRUE(json["upstream_status"].is_null());
  EXPECT_TRUE(json["upstream_response_time"].is_null());
  EXPECT_FALSE(json.contains("request_headers"));
}

TEST(AccessLogLineTest, PlainHttpLinesHaveNoTlsFields) {
  AccessLogFields fields;
  const auto json = nlohmann::json::parse(FormatAccessLogLine(fields));
  EXPECT_FALSE(json.contains("ssl_protocol"));
  EXPECT_FALSE(json.contains("certificate_id"));
}

TEST(AccessLogLineTest, RecordedHeadersLeaveCredentialsOut) {
  struct Field {
    std::string_view name_string() const { return name; }
    std::string_view value() const { return text; }
    std::string name, text;
  };
  const std::vector<Field> headers = {
      {"Host", "h.test"},
      {"Authorization", "Bearer secret"},
      {"Cookie", "s=secret"},
      {"Proxy-Authorization", "Basic secret"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
      {"X-Custom", "kept"}};
  const LoggedRequest logged = CaptureForLog("GET", "/", headers, true);
  EXPECT_EQ(logged.host, "h.test");
  EXPECT_EQ(logged.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  AccessLogFields fields;
  fields.headers = &logged.header_views;
  const std::string line = FormatAccessLogLine(fields);
  EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["request_headers"]["X-Custom"], "kept");
  EXPECT_EQ(TraceIdOf("b3id", "00-other-x-01"), "b3id");
  EXPECT_EQ(TraceIdOf("", "malformed"), "");
  EXPECT_EQ(AddressPort("::1", 80), "[::1]:80");
}

class AccessLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("openalb-alog-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AccessLogWriterTest, AppendsLinesAndReopensARotatedFile) {
  const auto file = dir_ / "access.log";
  auto writer = AccessLogWriter::Open(file.string());
  ASSERT_TRUE(writer) << writer.error().message;
  (*writer)->Append("one\n");
  (*writer)->Append("two\n");
  (*writer)->Flush();
  EXPECT_EQ(ReadFile(file), "one\ntwo\n");
  std::filesystem::rename(file, dir_ / "access.log.1");
  (*writer)->Reopen();
  (*writer)->Append("three\n");
  (*writer)->Flush();
  EXPECT_EQ(ReadFile(dir_ / "access.log.1"), "one\ntwo\n");
  EXPECT_EQ(ReadFile(file), "three\n");
  EXPECT_EQ((*writer)->written(), 3u);
  EXPECT_EQ((*writer)->dropped(), 0u);
}

TEST_F(AccessLogWriterTest, DropsAndCountsWhatDoesNotFitRatherThanWaiting) {
  const auto file = dir_ / "access.log";
  auto writer = AccessLogWriter::Open(file.string(), /*buffer_cap=*/10);
  ASSERT_TRUE(writer);
  (*writer)->Append("0123456789abcdef\n");  // larger than the whole buffer
  (*writer)->Append("short\n");
  (*writer)->Flush();
  EXPECT_EQ(ReadFile(file), "short\n");
  EXPECT_EQ((*writer)->dropped(), 1u);
  PrometheusText text;
  (*writer)->WriteMetrics(text);
  EXPECT_NE(text.Take().find("openalb_access_log_lines_total{outcome=\"dropped\"} 1"),
            std::string::npos);
}

TEST_F(AccessLogWriterTest, AnUnwritableDestinationIsAClearError) {
  auto writer = AccessLogWriter::Open((dir_ / "no-such-dir" / "access.log").string());
  ASSERT_FALSE(writer);
  EXPECT_NE(writer.error().message.find("--dataplane-access-log"), std::string::npos);
}

}  // namespace
}  // namespace openalb
