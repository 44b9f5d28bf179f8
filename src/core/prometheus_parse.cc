#include "core/prometheus_parse.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

namespace openalb {
namespace {

std::optional<double> ParseValue(std::string_view text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

// Labels between the braces: name="value" pairs, comma-separated, values escaped.
std::optional<std::map<std::string, std::string>> ParseLabels(std::string_view text) {
  std::map<std::string, std::string> labels;
  size_t i = 0;
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') {
      return std::nullopt;
    }
    std::string name(text.substr(i, eq - i));
    std::string value;
    size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value += text[j] == 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    if (j >= text.size()) return std::nullopt;  // unterminated
    labels.emplace(std::move(name), std::move(value));
    i = j + 1;
    if (i < text.size() && text[i] == ',') ++i;
  }
  return labels;
}

}  // namespace

const std::string& MetricSample::Label(const std::string& label) const {
  static const std::string kNone;
  auto it = labels.find(label);
  return it == labels.end() ? kNone : it->second;
}

std::vector<MetricSample> ParsePrometheusText(std::string_view text) {
  std::vector<MetricSample> samples;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    MetricSample sample;
    std::string_view rest;
    const auto brace = line.find('{');
    const auto space = line.find(' ');
    if (brace != std::string_view::npos && brace < space) {
      const auto close = line.rfind('}');
      if (close == std::string_view::npos || close < brace) continue;
      auto labels = ParseLabels(line.substr(brace + 1, close - brace - 1));
      if (!labels) continue;
      sample.name = std::string(line.substr(0, brace));
      sample.labels = std::move(*labels);
      rest = line.substr(close + 1);
    } else {
      if (space == std::string_view::npos) continue;
      sample.name = std::string(line.substr(0, space));
      rest = line.substr(space);
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    rest = rest.substr(0, rest.find(' '));  // a timestamp after the value is not used
    auto value = ParseValue(rest);
    if (!value) continue;
    sample.value = *value;
    samples.push_back(std::move(sample));
  }
  return samples;
}

}  // namespace openalb
