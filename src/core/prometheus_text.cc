#include "core/prometheus_text.h"

#include <array>
#include <charconv>
#include <cmath>

namespace openalb {

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double (0.1, not 0.10000000000000001), in
  // plain notation for the magnitudes metrics have, so a bucket bound reads as written.
  const double magnitude = std::fabs(value);
  const auto format = value == 0 || (magnitude >= 1e-6 && magnitude < 1e15)
                          ? std::chars_format::fixed
                          : std::chars_format::scientific;
  std::array<char, 64> out{};
  const auto written = std::to_chars(out.data(), out.data() + out.size(), value, format);
  return std::string(out.data(), written.ptr);
}

std::string PrometheusText::EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void PrometheusText::Family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  for (const char c : help) {  // HELP escapes only backslash and newline
    if (c == '\\') {
      text_ += "\\\\";
    } else if (c == '\n') {
      text_ += "\\n";
    } else {
      text_ += c;
    }
  }
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void PrometheusText::Line(std::string_view name, const MetricLabels& labels,
                          std::string_view extra_label, std::string_view extra_value,
                          double value) {
  text_ += name;
  if (!labels.empty() || !extra_label.empty()) {
    text_ += '{';
    bool first = true;
    auto add = [&](std::string_view label, std::string_view label_value) {
      if (!first) text_ += ',';
      first = false;
      text_ += label;
      text_ += "=\"";
      text_ += EscapeLabel(label_value);
      text_ += '"';
    };
    for (const auto& [label, label_value] : labels) add(label, label_value);
    if (!extra_label.empty()) add(extra_label, extra_value);
    text_ += '}';
  }
  text_ += ' ';
  text_ += FormatMetricValue(value);
  text_ += '\n';
}

void PrometheusText::Sample(std::string_view name, const MetricLabels& labels, double value) {
  Line(name, labels, {}, {}, value);
}

void PrometheusText::Histogram(std::string_view name, const MetricLabels& labels,
                               const HistogramReading& reading) {
  std::string bucket(name);
  bucket += "_bucket";
  std::string sum(name);
  sum += "_sum";
  std::string count(name);
  count += "_count";
  std::uint64_t cumulative = 0;
  for (size_t i = 0; i < reading.counts.size(); ++i) {
    cumulative += reading.counts[i];
    const std::string le =
        i < reading.bounds.size() ? FormatMetricValue(reading.bounds[i]) : "+Inf";
    Line(bucket, labels, "le", le, static_cast<double>(cumulative));
  }
  Line(sum, labels, {}, {}, reading.sum);
  Line(count, labels, {}, {}, static_cast<double>(cumulative));
}

}  // namespace openalb
