// The servers a listener forwards to. BackendServerState is one server address: whether it
// is passed over (it refused a connection recently — passive health checking) and its idle
// keep-alive connections; the data plane keeps one per address, shared by every snapshot
// and listener that forwards there, so a configuration change keeps the warm connections.
// BackendPool is one listener's frozen choice among them: a weighted round-robin order
// computed once (nginx's smooth WRR, so weights 5:1:1 interleave rather than burst) and
// walked with one atomic cursor. Sch (source address) and Uch (a query parameter) look
// their key up on a consistent-hash ring, so a server's removal moves only its own clients;
// Wlc takes the server with the fewest requests in flight per unit of weight. A server whose
// active health check failed (health_checker.h) or that refused a connection recently is
// passed over. Each server has a sticky token: what openalb's stickiness cookies carry.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/health_checker.h"
#include "dataplane/listener_config.h"

namespace openalb {

class BackendServerState : public std::enable_shared_from_this<BackendServerState> {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  using NativeSocket = boost::asio::ip::tcp::socket::native_handle_type;

  explicit BackendServerState(Endpoint endpoint)
      : endpoint_(std::move(endpoint)), address_port_(AddressPortOf(endpoint_)) {}
  ~BackendServerState();
  BackendServerState(const BackendServerState&) = delete;
  BackendServerState& operator=(const BackendServerState&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }
  // "ip:port" (an IPv6 address in brackets), as access-log lines name the server.
  const std::string& address_port() const { return address_port_; }

  bool Healthy(std::chrono::steady_clock::time_point now) const;
  // Passes the server over for a few seconds (it refused or timed out a connection).
  void MarkDown(std::chrono::steady_clock::time_point now);

  // An idle connection that still looks open (the peer has not closed it), or -1.
  NativeSocket TakeIdle(std::chrono::steady_clock::time_point now);
  // Keeps a connection for reuse (at most kMaxIdle; the rest are closed).
  void PutIdle(NativeSocket socket, std::chrono::steady_clock::time_point now);
  size_t IdleCount() const;

  // Requests in flight to this server (what Wlc balances).
  void BeginRequest() { active_.fetch_add(1, std::memory_order_relaxed); }
  void EndRequest() { active_.fetch_sub(1, std::memory_order_relaxed); }
  int active() const { return active_.load(std::memory_order_relaxed); }

  static constexpr size_t kMaxIdle = 256;
  static constexpr auto kDownFor = std::chrono::seconds(3);
  static constexpr auto kIdleFor = std::chrono::seconds(30);

 private:
  static std::string AddressPortOf(const Endpoint& endpoint);
  const Endpoint endpoint_;
  const std::string address_port_;
  std::atomic<std::int64_t> down_until_ns_{0};
  std::atomic<int> active_{0};
  mutable std::mutex mutex_;
  struct Idle {
    NativeSocket socket;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;  // GUARDED_BY(mutex_); newest last
};

// One BackendServerState per address:port, alive while some snapshot uses it. Thread-safe.
class BackendRegistry {
 public:
  // nullptr when `target.address` is not an IP address.
  std::shared_ptr<BackendServerState> StateFor(const BackendTarget& target);

 private:
  std::mutex mutex_;
  std::map<std::string, std::weak_ptr<BackendServerState>> states_;  // GUARDED_BY(mutex_)
};

class BackendPool {
 public:
  struct Server {
    std::shared_ptr<BackendServerState> state;
    int weight = 0;
    std::shared_ptr<const ServerHealth> health;  // null: no active health check
  };
  BackendPool(std::string server_group_id, std::vector<Server> servers, ServerGroupPolicy policy);

  const std::string& server_group_id() const { return server_group_id_; }
  const ServerGroupPolicy& policy() const { return policy_; }
  size_t size() const { return servers_.size(); }
  // The server for a request's next attempt, not in `tried`: `preferred` (a sticky session's
  // server) when it is one of this pool's and usable, else by the scheduler — `key` is the
  // client's address hash (Sch) or the hashed parameter (Uch). nullptr when none is left —
  // the request gets a 503.
  BackendServerState* Pick(std::uint64_t key, const std::vector<const BackendServerState*>& tried,
                           const BackendServerState* preferred = nullptr) const;
  // The server a sticky token names, or nullptr.
  const BackendServerState* ServerWithToken(std::uint64_t token) const;
  // The token of one of this pool's servers (stable across configuration changes).
  std::uint64_t TokenOf(const BackendServerState& server) const;

 private:
  bool Usable(const Server& server, std::chrono::steady_clock::time_point now) const;
  BackendServerState* PickFromRing(std::uint64_t key,
                                   const std::vector<const BackendServerState*>& tried,
                                   std::chrono::steady_clock::time_point now) const;
  BackendServerState* PickLeastLoaded(const std::vector<const BackendServerState*>& tried,
                                      std::chrono::steady_clock::time_point now) const;

  std::string server_group_id_;
  std::vector<Server> servers_;
  ServerGroupPolicy policy_;
  std::uint64_t group_salt_;
  std::vector<std::uint32_t> order_;  // indexes into servers_, in smooth WRR order
  // Sch/Uch: (point, index into servers_), sorted by point.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> ring_;
  mutable std::atomic<std::uint64_t> cursor_{0};
};

}  // namespace openalb
