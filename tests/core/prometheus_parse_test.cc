// Reading the text format back: what PrometheusText writes parses to the same names, labels
// (escapes undone) and values, histograms included; broken lines are left out.
#include "core/prometheus_parse.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/prometheus_text.h"

namespace openalb {
namespace {

TEST(PrometheusParseTest, ReadsBackWhatTheWriterWrote) {
  PrometheusText text;
  text.Family("openalb_things_total", "counter", "Things.");
  text.Sample("openalb_things_total", {{"kind", "a\"b\\c\nd"}, {"zone", "z1"}}, 3);
  text.Sample("openalb_things_total", {}, 0.25);
  text.Family("openalb_latency_seconds", "histogram", "Latency.");
  text.Histogram("openalb_latency_seconds", {{"listener_id", "lsr-1"}},
                 HistogramReading{{0.1, 1}, {2, 1, 1}, 1.5});
  const auto samples = ParsePrometheusText(text.Take());
  ASSERT_EQ(samples.size(), 2u + 3u + 2u);
  EXPECT_EQ(samples[0].name, "openalb_things_total");
  EXPECT_EQ(samples[0].Label("kind"), "a\"b\\c\nd");
  EXPECT_EQ(samples[0].Label("zone"), "z1");
  EXPECT_EQ(samples[0].value, 3);
  EXPECT_EQ(samples[1].Label("kind"), "");
  EXPECT_EQ(samples[1].value, 0.25);
  EXPECT_EQ(samples[2].name, "openalb_latency_seconds_bucket");
  EXPECT_EQ(samples[2].Label("le"), "0.1");
  EXPECT_EQ(samples[4].Label("le"), "+Inf");
  EXPECT_EQ(samples[4].value, 4);  // cumulative
  EXPECT_EQ(samples[6].name, "openalb_latency_seconds_count");
}

TEST(PrometheusParseTest, LeavesOutLinesThatDoNotParse) {
  const auto samples = ParsePrometheusText(
      "# HELP x y\ngood 1\nbad\nno_value{a=\"b\"}\nunterminated{a=\"b} 1\nnot_a_number x\n"
      "inf +Inf\nwith_time 2 1700000000\n");
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].name, "good");
  EXPECT_TRUE(std::isinf(samples[1].value));
  EXPECT_EQ(samples[2].value, 2);
}

}  // namespace
}  // namespace openalb
