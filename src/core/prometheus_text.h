// PrometheusText: writes metrics in the Prometheus text exposition format (version 0.0.4) —
// one `# HELP` and `# TYPE` per family, then its samples, label values escaped, histograms as
// cumulative `_bucket{le=…}` lines with `+Inf`, `_sum` and `_count`. prometheus-cpp is not
// packaged in Debian bookworm, and the format is small: this is all of it openalb needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openalb {

using MetricLabels = std::vector<std::pair<std::string_view, std::string_view>>;

// A histogram read at one moment: counts per bucket (not cumulative), bucket upper bounds in
// the same order (the last bucket, past every bound, has none), the sum of observations.
struct HistogramReading {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;  // bounds.size() + 1 entries
  double sum = 0;
};

class PrometheusText {
 public:
  // The content type of what Take() returns.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Starts a family; `type` is counter, gauge or histogram. Samples follow until the next.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the current family (`name` is the family's, or a counter's `_total` name).
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  // A histogram sample set of the current family.
  void Histogram(std::string_view name, const MetricLabels& labels,
                 const HistogramReading& reading);
  std::string Take() { return std::move(text_); }

  // A label value as it must appear between the quotes.
  static std::string EscapeLabel(std::string_view value);

 private:
  void Line(std::string_view name, const MetricLabels& labels, std::string_view extra_label,
            std::string_view extra_value, double value);

  std::string text_;
};

// A value as Prometheus writes it: integers without a fraction, +Inf, -Inf, NaN.
std::string FormatMetricValue(double value);

}  // namespace openalb
