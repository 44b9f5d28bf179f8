// DeadlineSweeper: coarse timeouts for the connections of one single-threaded io_context.
// A timer per operation re-arms the kernel timer whenever it becomes the earliest — about
// five timerfd_settime calls per TLS handshake, measured — so instead each connection
// keeps a deadline (a plain store per operation) and one timer per thread sweeps every
// kTick, calling the expired deadlines' handlers. Timeouts fire up to kTick late, which is
// what a 5–60 s timeout can afford. Everything runs on the io_context's own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>

namespace openalb {

class DeadlineSweeper {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTick = std::chrono::milliseconds(250);

  class Deadline;
  // What deadlines and sweeper share; it outlives the sweeper while connections still
  // hold deadlines (their sessions may be destroyed with their io_context, after it).
  struct State {
    std::set<Deadline*> deadlines;
    Clock::time_point now;  // refreshed every tick: setting a deadline reads no clock
  };

  class Deadline {
   public:
    Deadline(DeadlineSweeper& sweeper, std::function<void()> on_expired)
        : state_(sweeper.state_), on_expired_(std::move(on_expired)) {
      state_->deadlines.insert(this);
    }
    ~Deadline() { state_->deadlines.erase(this); }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    void ExpiresAfter(Clock::duration timeout) { at_ = state_->now + timeout; }
    void Clear() { at_ = Clock::time_point::max(); }

   private:
    friend class DeadlineSweeper;
    std::shared_ptr<State> state_;
    std::function<void()> on_expired_;
    Clock::time_point at_ = Clock::time_point::max();
  };

  // `now` is the clock deadlines are measured on (tests pass their own).
  explicit DeadlineSweeper(boost::asio::io_context& io,
                           std::function<Clock::time_point()> now = Clock::now);
  // Stops sweeping; call from the io_context's thread, or after it stopped.
  void Stop();
  // Reads the clock and runs the handlers of the deadlines passed. The timer calls it every
  // kTick; a test calls it after moving its clock.
  void Sweep();

 private:
  void Arm();

  std::function<Clock::time_point()> now_;
  std::shared_ptr<State> state_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace openalb
