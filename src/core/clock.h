// Clock: the one way code asks for the time, so tests can pin it.
#pragma once

#include <chrono>

namespace openalb {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC); used for request timestamps, resource times and expiry.
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

// A clock that only moves when told to. Thread-compatible, not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point now) : now_(now) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Set(std::chrono::system_clock::time_point now) { now_ = now; }
  void Advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_;
};

}  // namespace openalb
