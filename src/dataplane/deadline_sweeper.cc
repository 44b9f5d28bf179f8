#include "dataplane/deadline_sweeper.h"

#include <vector>

namespace openalb {

DeadlineSweeper::DeadlineSweeper(boost::asio::io_context& io,
                                 std::function<Clock::time_point()> now)
    : now_(std::move(now)), state_(std::make_shared<State>()), timer_(io) {
  state_->now = now_();
  Arm();
}

void DeadlineSweeper::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void DeadlineSweeper::Arm() {
  timer_.expires_after(kTick);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    Sweep();
    Arm();
  });
}

void DeadlineSweeper::Sweep() {
  state_->now = now_();
  std::vector<Deadline*> expired;
  for (Deadline* deadline : state_->deadlines) {
    if (deadline->at_ <= state_->now) expired.push_back(deadline);
  }
  for (Deadline* deadline : expired) {
    // A handler may end the connection, but its deadline lives until the session's last
    // handler has run, which cannot happen inside this loop.
    deadline->Clear();
    deadline->on_expired_();
  }
}

}  // namespace openalb
