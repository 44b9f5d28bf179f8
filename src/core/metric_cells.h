// Metric cells bumped on hot paths from many threads without contending: a ShardedCounter
// keeps one cache line per thread slot (a thread takes a slot on first use) and is summed
// when metrics are scraped; a LatencyHistogram is a set of such counters, one per bucket,
// plus the sum of observations in microseconds. Relaxed atomics only: a scrape may see one
// thread's bump a moment late, never a torn or lost one.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/prometheus_text.h"

namespace openalb {

inline constexpr std::size_t kCounterSlots = 16;

// This thread's slot, the same for every counter.
inline std::size_t ThisThreadCounterSlot() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t slot =
      next.fetch_add(1, std::memory_order_relaxed) % kCounterSlots;
  return slot;
}

class ShardedCounter {
 public:
  void Add(std::uint64_t n = 1) {
    slots_[ThisThreadCounterSlot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t Sum() const {
    std::uint64_t sum = 0;
    for (const auto& slot : slots_) sum += slot.value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<Slot, kCounterSlots> slots_{};
};

// Durations in seconds, bucketed by upper bounds (Prometheus's convention for latency).
class LatencyHistogram {
 public:
  // 100 µs to 10 s, roughly ×2.5 apart: fine enough below a millisecond for proxied requests.
  static const std::vector<double>& DefaultBounds() {
    static const std::vector<double> bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                               0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                               1,      2.5,     5,      10};
    return bounds;
  }

  LatencyHistogram() : buckets_(DefaultBounds().size() + 1) {}

  void Observe(std::chrono::microseconds elapsed) {
    const double seconds = static_cast<double>(elapsed.count()) / 1e6;
    const auto& bounds = DefaultBounds();
    const auto at = static_cast<std::size_t>(
        std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
    buckets_[at].Add();
    sum_us_.Add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, elapsed.count())));
  }

  HistogramReading Read() const {
    HistogramReading reading;
    reading.bounds = DefaultBounds();
    for (const auto& bucket : buckets_) reading.counts.push_back(bucket.Sum());
    reading.sum = static_cast<double>(sum_us_.Sum()) / 1e6;
    return reading;
  }

 private:
  std::vector<ShardedCounter> buckets_;
  ShardedCounter sum_us_;
};

}  // namespace openalb
