// ByteBudget: a cap on the bytes a process holds for requests in flight (the data plane's
// buffered request bodies), shared by every connection, so that many clients each sending a
// large body cannot together exhaust memory. A connection takes bytes before it buffers them
// and gives them back when the request is done; a request that cannot get its bytes is
// refused (503) instead of growing the heap. Lock-free: one atomic counter.
#pragma once

#include <atomic>
#include <cstddef>

namespace openalb {

class ByteBudget {
 public:
  // 0 means no cap.
  explicit ByteBudget(std::size_t capacity) : capacity_(capacity) {}

  // What one request holds; gives its bytes back when destroyed or Reset. Move-only.
  class Hold {
   public:
    Hold() = default;
    explicit Hold(ByteBudget* budget) : budget_(budget) {}
    Hold(Hold&& other) noexcept { *this = std::move(other); }
    Hold& operator=(Hold&& other) noexcept {
      Reset();
      budget_ = other.budget_;
      bytes_ = other.bytes_;
      other.bytes_ = 0;
      return *this;
    }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { Reset(); }

    // Takes `more` bytes; false (taking nothing) if the budget has not that many left.
    bool Grow(std::size_t more) {
      if (budget_ == nullptr || !budget_->Take(more)) return budget_ == nullptr;
      bytes_ += more;
      return true;
    }
    void Reset() {
      if (budget_ != nullptr && bytes_ > 0) budget_->Give(bytes_);
      bytes_ = 0;
    }
    std::size_t bytes() const { return bytes_; }

   private:
    ByteBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t capacity() const { return capacity_; }

 private:
  bool Take(std::size_t bytes) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (capacity_ != 0 && (bytes > capacity_ || used > capacity_ - bytes)) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void Give(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  const std::size_t capacity_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace openalb
