#include "dataplane/access_log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace openalb {
namespace {

constexpr std::size_t kWakeAtBytes = 64 * 1024;
constexpr auto kDrainEvery = std::chrono::milliseconds(100);

int OpenDestination(const std::string& destination) {
  if (destination == "stderr") return STDERR_FILENO;
  return ::open(destination.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

}  // namespace

Result<std::unique_ptr<AccessLogWriter>> AccessLogWriter::Open(std::string destination,
                                                               std::size_t buffer_cap) {
  const int fd = OpenDestination(destination);
  if (fd < 0) {
    return Fail(
        ApiError{"InvalidConfiguration",
                 400,
                 "--dataplane-access-log: cannot open " + destination + ": " + std::strerror(errno),
                 {}});
  }
  return std::unique_ptr<AccessLogWriter>(
      new AccessLogWriter(std::move(destination), fd, buffer_cap));
}

AccessLogWriter::AccessLogWriter(std::string destination, int fd, std::size_t buffer_cap)
    : destination_(std::move(destination)), fd_(fd), buffer_cap_(buffer_cap) {
  pending_.reserve(2 * kWakeAtBytes);
  thread_ = std::thread([this] { Run(); });
}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ != STDERR_FILENO && fd_ >= 0) ::close(fd_);
}

void AccessLogWriter::Write(const AccessLogFields& fields) {
  thread_local std::string line;
  line.clear();
  AppendAccessLogLine(line, fields);
  Append(line);
}

void AccessLogWriter::Append(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + line.size() > buffer_cap_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    pending_ += line;  // into capacity kept from batch to batch
    ++appended_;
    ++pending_lines_;
    wake = pending_.size() >= kWakeAtBytes;
  }
  if (wake) wake_.notify_one();
}

void AccessLogWriter::Flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = appended_;
  flush_requested_ = true;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return drained_ >= target || stopping_; });
}

void AccessLogWriter::Run() {
  std::string batch;
  std::unique_lock lock(mutex_);
  while (true) {
    // Woken early only by a full batch, a Flush or the end: a line waits at most kDrainEvery,
    // and the thread does not spin on a busy listener's every line.
    wake_.wait_for(lock, kDrainEvery, [&] {
      return stopping_ || flush_requested_ || pending_.size() >= kWakeAtBytes;
    });
    flush_requested_ = false;
    batch.swap(pending_);
    pending_.clear();
    const std::uint64_t lines = pending_lines_;
    pending_lines_ = 0;
    const bool stopping = stopping_;
    lock.unlock();
    if (reopen_.exchange(false, std::memory_order_relaxed)) ReopenNow();
    if (!batch.empty()) WriteOut(batch);
    written_.fetch_add(lines, std::memory_order_relaxed);
    batch.clear();
    lock.lock();
    drained_ += lines;
    flushed_.notify_all();
    if (stopping && pending_.empty()) return;
  }
}

void AccessLogWriter::WriteOut(const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

void AccessLogWriter::ReopenNow() {
  if (destination_ == "stderr") return;
  const int fd = OpenDestination(destination_);
  if (fd < 0) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    return;  // keep writing to the old file rather than nowhere
  }
  ::close(fd_);
  fd_ = fd;
}

void AccessLogWriter::WriteMetrics(PrometheusText& out) const {
  out.Family("openalb_access_log_lines_total", "counter",
             "Data-plane access-log lines, by outcome: written, or dropped because the writer "
             "was behind by more than its buffer.");
  out.Sample("openalb_access_log_lines_total", {{"outcome", "written"}},
             static_cast<double>(written()));
  out.Sample("openalb_access_log_lines_total", {{"outcome", "dropped"}},
             static_cast<double>(dropped()));
  out.Family("openalb_access_log_write_errors_total", "counter",
             "Writes of access-log lines that failed (disk full, file gone).");
  out.Sample("openalb_access_log_write_errors_total", {},
             static_cast<double>(write_errors_.load(std::memory_order_relaxed)));
}

}  // namespace openalb
