// Coarse connection timeouts: a deadline fires once after it passes, never when cleared,
// moved later or destroyed, and the sweeper outlives nothing it should not.
#include "dataplane/deadline_sweeper.h"

#include <gtest/gtest.h>

#include <memory>

namespace openalb {
namespace {

using namespace std::chrono_literals;

TEST(DeadlineSweeperTest, APassedDeadlineFiresOnceAndOthersDoNot) {
  boost::asio::io_context io(1);
  auto now = DeadlineSweeper::Clock::time_point{} + 1h;
  DeadlineSweeper sweeper(io, [&now] { return now; });
  int passed = 0, cleared = 0, distant = 0, destroyed = 0;
  DeadlineSweeper::Deadline a(sweeper, [&] { ++passed; });
  DeadlineSweeper::Deadline b(sweeper, [&] { ++cleared; });
  DeadlineSweeper::Deadline c(sweeper, [&] { ++distant; });
  auto d = std::make_unique<DeadlineSweeper::Deadline>(sweeper, [&] { ++destroyed; });
  a.ExpiresAfter(100ms);
  b.ExpiresAfter(100ms);
  b.Clear();
  c.ExpiresAfter(100ms);
  c.ExpiresAfter(1h);  // a later operation moved it
  d->ExpiresAfter(100ms);
  d.reset();
  now += 99ms;
  sweeper.Sweep();
  EXPECT_EQ(passed, 0);  // not yet
  now += 1ms;
  sweeper.Sweep();
  sweeper.Sweep();
  EXPECT_EQ(passed, 1);
  EXPECT_EQ(cleared, 0);
  EXPECT_EQ(distant, 0);
  EXPECT_EQ(destroyed, 0);
  sweeper.Stop();
}

TEST(DeadlineSweeperTest, DeadlinesMayOutliveTheirSweeper) {
  // Sessions still queued in an io_context are destroyed with it, after the sweeper.
  auto io = std::make_unique<boost::asio::io_context>(1);
  auto sweeper = std::make_unique<DeadlineSweeper>(*io);
  auto deadline = std::make_unique<DeadlineSweeper::Deadline>(*sweeper, [] {});
  deadline->ExpiresAfter(1s);
  sweeper->Stop();
  sweeper.reset();
  deadline.reset();  // ASan would report a use after free here
  io.reset();
}

}  // namespace
}  // namespace openalb
