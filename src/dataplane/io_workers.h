// IoWorkers: the data plane's threads, nginx-style — each runs its own single-threaded
// io_context (with its DeadlineSweeper for connection timeouts), and every client
// connection lives on one of them for its whole life. No strand is needed and no lock is
// taken on a connection's path; the workers are handed out round-robin. Started by the constructor,
// stopped and joined by Stop() or the destructor.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "dataplane/deadline_sweeper.h"

namespace openalb {

// Runs `work` on `io`'s thread and returns once it has run — at once when called from that
// thread or when `io` no longer runs, else after it ran there or after `bound`, whichever comes
// first (a thread that cannot run it, shutting down, never hangs its caller). A listener's
// Stop: the port is closed by the time the job that stopped it succeeds.
void RunOnAndWait(boost::asio::io_context& io, const std::function<void()>& work,
                  std::chrono::milliseconds bound = std::chrono::seconds(2));

class IoWorkers {
 public:
  explicit IoWorkers(int threads);
  // Stops, then shuts every context down before destroying any: a connection still pending
  // on one worker may hold the last reference to a listener whose acceptor lives on another,
  // and that acceptor must go while its context's services still exist.
  ~IoWorkers();
  IoWorkers(const IoWorkers&) = delete;
  IoWorkers& operator=(const IoWorkers&) = delete;

  struct Worker {
    boost::asio::io_context& io;
    DeadlineSweeper& deadlines;
  };
  Worker Next();
  size_t size() const { return contexts_.size(); }
  // Lets every context finish what it has posted, then joins the threads. Idempotent.
  void Stop();

 private:
  // An io_context whose services (and the handlers pending on them) can be shut down
  // ahead of its destruction.
  class Context : public boost::asio::io_context {
   public:
    using io_context::io_context;
    using io_context::shutdown;
  };
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::unique_ptr<DeadlineSweeper>> sweepers_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace openalb
