// AccessLogWriter: where the data plane's access-log lines go (a file, appended to, or stderr),
// written off the request path. A worker's Append moves its line into a shared buffer under a
// mutex held for one move — never for I/O — and a writer thread drains the buffer every 100 ms
// (or sooner, once 64 KiB wait) with one write. When the disk cannot keep up the buffer stops
// at its cap and further lines are dropped and counted, rather than slowing any request. Reopen()
// (SIGHUP) closes and reopens a file, for logrotate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/api_error.h"
#include "core/prometheus_text.h"
#include "dataplane/access_log_line.h"

namespace openalb {

class AccessLogWriter {
 public:
  static constexpr std::size_t kDefaultBufferCap = 8u << 20;  // bytes waiting at most

  // `destination`: "stderr" or a file path (created 0640 if absent, appended to).
  static Result<std::unique_ptr<AccessLogWriter>> Open(std::string destination,
                                                       std::size_t buffer_cap = kDefaultBufferCap);
  ~AccessLogWriter();
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Queues one line (ending in '\n'); drops it, counted, when the buffer is full.
  void Append(std::string_view line);
  // Formats the line into this thread's reusable buffer and queues it.
  void Write(const AccessLogFields& fields);
  // Reopens the file (after logrotate moved it); nothing for stderr.
  void Reopen() { reopen_.store(true, std::memory_order_relaxed); }
  // Writes everything queued so far before returning (tests, shutdown).
  void Flush();

  std::uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  void WriteMetrics(PrometheusText& out) const;

 private:
  AccessLogWriter(std::string destination, int fd, std::size_t buffer_cap);
  void Run();
  void WriteOut(const std::string& text);
  void ReopenNow();

  const std::string destination_;
  int fd_;
  const std::size_t buffer_cap_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::string pending_;              // GUARDED_BY(mutex_)
  std::uint64_t appended_ = 0;       // GUARDED_BY(mutex_): lines taken into pending_
  std::uint64_t drained_ = 0;        // GUARDED_BY(mutex_): of those, written out
  std::uint64_t pending_lines_ = 0;  // GUARDED_BY(mutex_)
  bool stopping_ = false;            // GUARDED_BY(mutex_)
  bool flush_requested_ = false;     // GUARDED_BY(mutex_)
  std::atomic<bool> reopen_{false};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> write_errors_{0};
  std::thread thread_;
};

}  // namespace openalb
