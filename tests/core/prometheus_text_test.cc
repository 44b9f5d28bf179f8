// The Prometheus text format as a scraper parses it: families, escaped label values, values,
// and histograms with cumulative buckets.
#include "core/prometheus_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>
#include <vector>

#include "core/metric_cells.h"

namespace openalb {
namespace {

TEST(PrometheusTextTest, AFamilyHasHelpTypeAndEscapedLabelValues) {
  PrometheusText text;
  text.Family("openalb_things_total", "counter", "Things, counted \\ per \"kind\"\nsecond line.");
  text.Sample("openalb_things_total", {{"kind", "a\"b\\c\nd"}, {"zone", "z1"}}, 3);
  text.Sample("openalb_things_total", {}, 0.25);
  EXPECT_EQ(text.Take(),
            "# HELP openalb_things_total Things, counted \\\\ per \"kind\"\\nsecond line.\n"
            "# TYPE openalb_things_total counter\n"
            "openalb_things_total{kind=\"a\\\"b\\\\c\\nd\",zone=\"z1\"} 3\n"
            "openalb_things_total 0.25\n");
}

TEST(PrometheusTextTest, ValuesAreWrittenAsPrometheusReadsThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(12345678901), "12345678901");
  EXPECT_EQ(FormatMetricValue(-2), "-2");
  EXPECT_EQ(FormatMetricValue(0.001), "0.001");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeEndingInInfWithSumAndCount) {
  PrometheusText text;
  text.Family("openalb_wait_seconds", "histogram", "Waits.");
  text.Histogram("openalb_wait_seconds", {{"listener", "lsn-1"}},
                 HistogramReading{.bounds = {0.1, 1}, .counts = {2, 0, 3}, .sum = 7.5});
  EXPECT_EQ(text.Take(),
            "# HELP openalb_wait_seconds Waits.\n"
            "# TYPE openalb_wait_seconds histogram\n"
            "openalb_wait_seconds_bucket{listener=\"lsn-1\",le=\"0.1\"} 2\n"
            "openalb_wait_seconds_bucket{listener=\"lsn-1\",le=\"1\"} 2\n"
            "openalb_wait_seconds_bucket{listener=\"lsn-1\",le=\"+Inf\"} 5\n"
            "openalb_wait_seconds_sum{listener=\"lsn-1\"} 7.5\n"
            "openalb_wait_seconds_count{listener=\"lsn-1\"} 5\n");
}

TEST(MetricCellsTest, ACounterBumpedFromManyThreadsSumsEveryBump) {
  ShardedCounter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.Add();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Sum(), 80000u);
}

TEST(MetricCellsTest, ALatencyLandsInTheFirstBucketWhoseBoundHoldsIt) {
  LatencyHistogram histogram;
  histogram.Observe(std::chrono::microseconds(100));   // exactly the first bound: le 0.0001
  histogram.Observe(std::chrono::microseconds(3000));  // le 0.005
  histogram.Observe(std::chrono::seconds(60));         // past every bound: +Inf only
  const HistogramReading reading = histogram.Read();
  ASSERT_EQ(reading.counts.size(), reading.bounds.size() + 1);
  EXPECT_EQ(reading.counts.front(), 1u);
  EXPECT_EQ(reading.counts.back(), 1u);
  EXPECT_EQ(reading.counts[5], 1u);
  EXPECT_EQ(reading.bounds[5], 0.005);
  EXPECT_DOUBLE_EQ(reading.sum, 60.0031);
}

}  // namespace
}  // namespace openalb
