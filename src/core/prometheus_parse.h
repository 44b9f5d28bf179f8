// Reading the Prometheus text format back (what core/prometheus_text writes): one sample per
// line — a name, its labels (escapes undone) and a value. `openalb top` reads /metrics with
// it. Comment lines are skipped; a line that does not parse is left out, not guessed at.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace openalb {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;

  // The label's value, or "" when it has none.
  const std::string& Label(const std::string& label) const;
};

std::vector<MetricSample> ParsePrometheusText(std::string_view text);

}  // namespace openalb
