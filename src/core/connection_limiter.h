// ConnectionLimiter: how many connections an endpoint (the OpenAPI port, or all listener
// ports of the data plane together) holds at once, in all and
// from one client address, so one client (or a flood of them) cannot take every socket and
// file descriptor. A connection is admitted with a Slot that gives its place back when the
// session ends.
//
// SDK clients leave kept-alive connections idle (pop-core opens a new one per request and
// lets the old linger), so a limit that only refused would lock out a polling client. A
// connection waiting for its next request is therefore marked idle, and when its client
// (or the server) has no place left, the oldest idle connection is closed to make room, as
// nginx does with idle keep-alive connections; only when every connection is busy is the
// new one refused. Thread-safe: one mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace openalb {

// A connection that can be closed to make room while it is idle. Reclaim is called from any
// thread, without the limiter's lock; it must hand the closing to the connection's own
// executor, and do nothing if the connection has meanwhile become busy.
class Reclaimable {
 public:
  virtual ~Reclaimable() = default;
  virtual void Reclaim() = 0;
};

class ConnectionLimiter {
 public:
  enum class Verdict { kAdmitted, kTooManyFromClient, kTooManyInAll };

  // Holds one admitted connection's place until destroyed. Move-only; a default-constructed
  // or moved-from Slot holds nothing.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    // Names the connection to close when this slot is reclaimed.
    void Track(std::weak_ptr<Reclaimable> connection);
    // Waiting for the next request: may be reclaimed from now on.
    void Idle();
    // A request has begun: no longer reclaimable.
    void Busy();

   private:
    friend class ConnectionLimiter;
    Slot(ConnectionLimiter* limiter, std::uint64_t id) : limiter_(limiter), id_(id) {}
    void Release();
    ConnectionLimiter* limiter_ = nullptr;  // outlives every Slot it hands out
    std::uint64_t id_ = 0;
  };

  // 0 for either limit means no limit of that kind.
  ConnectionLimiter(std::size_t max_in_all, std::size_t max_per_client);

  // On kAdmitted, `slot` holds the place (an idle connection may have been reclaimed for
  // it); otherwise `slot` is left as it was.
  Verdict Admit(const std::string& client, Slot& slot);

  std::size_t OpenForTesting(const std::string& client);
  // Connections holding a place now, and how many of them are idle (for /metrics).
  std::size_t Open() const;
  std::size_t Idle() const;

 private:
  struct Entry {
    std::string client;
    std::weak_ptr<Reclaimable> connection;
    bool idle = false;
    std::list<std::uint64_t>::iterator idle_at;  // into idle_, while idle
  };

  void Release(std::uint64_t id);
  void SetIdle(std::uint64_t id, bool idle);
  // Forgets entry `id` (giving its place back) and returns its connection, to be closed.
  // REQUIRES: mutex_ held.
  std::weak_ptr<Reclaimable> Forget(std::uint64_t id);

  const std::size_t max_in_all_;
  const std::size_t max_per_client_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;                               // GUARDED_BY(mutex_)
  std::unordered_map<std::uint64_t, Entry> entries_;        // GUARDED_BY(mutex_)
  std::list<std::uint64_t> idle_;                           // GUARDED_BY(mutex_); oldest first
  std::unordered_map<std::string, std::size_t> by_client_;  // GUARDED_BY(mutex_); > 0 only
};

}  // namespace openalb
