#include "dataplane/backend_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <numeric>

#include "dataplane/access_log_line.h"

namespace openalb {
namespace {

std::int64_t Nanoseconds(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// True while the peer has neither closed the connection nor sent anything unasked.
bool LooksOpen(int socket) {
  char byte;
  ssize_t n = ::recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// nginx's smooth weighted round-robin, run once over a whole cycle: weights 5:1:1 give
// a a b a c a a, never a burst of one server.
std::vector<std::uint32_t> SmoothOrder(const std::vector<BackendPool::Server>& servers) {
  int divisor = 0;
  for (const auto& s : servers) divisor = std::gcd(divisor, s.weight);
  if (divisor == 0) return {};
  std::vector<int> weights;
  int total = 0;
  for (const auto& s : servers) {
    weights.push_back(s.weight / divisor);
    total += weights.back();
  }
  std::vector<int> current(servers.size(), 0);
  std::vector<std::uint32_t> order;
  order.reserve(static_cast<size_t>(total));
  for (int step = 0; step < total; ++step) {
    size_t best = 0;
    for (size_t i = 0; i < servers.size(); ++i) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    order.push_back(static_cast<std::uint32_t>(best));
  }
  return order;
}

// splitmix64's finalizer: spreads nearby inputs (1, 2, 3 …) over the whole range.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t EndpointHash(const BackendServerState::Endpoint& endpoint) {
  return Mix(std::hash<std::string>{}(endpoint.address().to_string()) ^
             (static_cast<std::uint64_t>(endpoint.port()) << 48));
}

// Points on the consistent-hash ring of the group's heaviest server (lighter ones get fewer):
// enough that three equal servers share clients within a few percent.
constexpr int kRingPointsPerServer = 160;

}  // namespace

std::string BackendServerState::AddressPortOf(const Endpoint& endpoint) {
  return AddressPort(endpoint.address().to_string(), endpoint.port());
}

BackendServerState::~BackendServerState() {
  for (const auto& idle : idle_) ::close(idle.socket);
}

bool BackendServerState::Healthy(std::chrono::steady_clock::time_point now) const {
  return down_until_ns_.load(std::memory_order_relaxed) <= Nanoseconds(now);
}

void BackendServerState::MarkDown(std::chrono::steady_clock::time_point now) {
  down_until_ns_.store(Nanoseconds(now + kDownFor), std::memory_order_relaxed);
}

BackendServerState::NativeSocket BackendServerState::TakeIdle(
    std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!idle_.empty()) {
    Idle idle = idle_.back();
    idle_.pop_back();
    if (now - idle.since < kIdleFor && LooksOpen(idle.socket)) return idle.socket;
    ::close(idle.socket);
  }
  return -1;
}

void BackendServerState::PutIdle(NativeSocket socket, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (idle_.size() >= kMaxIdle) {
    ::close(socket);
    return;
  }
  idle_.push_back({socket, now});
}

size_t BackendServerState::IdleCount() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

std::shared_ptr<BackendServerState> BackendRegistry::StateFor(const BackendTarget& target) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(target.address, ec);
  if (ec || target.port < 1 || target.port > 65535) return nullptr;
  BackendServerState::Endpoint endpoint(address, static_cast<std::uint16_t>(target.port));
  std::string key = endpoint.address().to_string() + "|" + std::to_string(target.port);
  std::lock_guard lock(mutex_);
  for (auto it = states_.begin(); it != states_.end();) {
    it = it->second.expired() ? states_.erase(it) : std::next(it);
  }
  if (auto existing = states_[key].lock()) return existing;
  auto state = std::make_shared<BackendServerState>(endpoint);
  states_[key] = state;
  return state;
}

BackendPool::BackendPool(std::string server_group_id, std::vector<Server> servers,
                         ServerGroupPolicy policy)
    : server_group_id_(std::move(server_group_id)),
      servers_(std::move(servers)),
      policy_(std::move(policy)),
      group_salt_(Mix(std::hash<std::string>{}(server_group_id_))),
      order_(SmoothOrder(servers_)) {
  if (policy_.scheduler == Scheduler::kSch || policy_.scheduler == Scheduler::kUch) {
    int heaviest = 1;
    for (const auto& server : servers_) heaviest = std::max(heaviest, server.weight);
    for (std::uint32_t i = 0; i < servers_.size(); ++i) {
      const std::uint64_t base = EndpointHash(servers_[i].state->endpoint());
      const int points = std::max(1, kRingPointsPerServer * servers_[i].weight / heaviest);
      for (int p = 0; p < points; ++p) {
        ring_.emplace_back(Mix(base + static_cast<std::uint64_t>(p)), i);
      }
    }
    std::sort(ring_.begin(), ring_.end());
  }
}

bool BackendPool::Usable(const Server& server, std::chrono::steady_clock::time_point now) const {
  return server.state->Healthy(now) && (server.health == nullptr || server.health->Up());
}

BackendServerState* BackendPool::Pick(std::uint64_t key,
                                      const std::vector<const BackendServerState*>& tried,
                                      const BackendServerState* preferred) const {
  if (order_.empty()) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  auto untried = [&](const BackendServerState* s) {
    return std::find(tried.begin(), tried.end(), s) == tried.end();
  };
  if (preferred != nullptr && untried(preferred)) {
    for (const auto& server : servers_) {
      if (server.state.get() == preferred && Usable(server, now)) return server.state.get();
    }
  }
  switch (policy_.scheduler) {
    case Scheduler::kSch:
    case Scheduler::kUch:
      return PickFromRing(key, tried, now);
    case Scheduler::kWlc:
      return PickLeastLoaded(tried, now);
    case Scheduler::kWrr:
      break;
  }
  const std::uint64_t start = cursor_.fetch_add(1, std::memory_order_relaxed);
  for (size_t step = 0; step < order_.size(); ++step) {
    const Server& server = servers_[order_[(start + step) % order_.size()]];
    if (!Usable(server, now) || !untried(server.state.get())) continue;
    return server.state.get();
  }
  return nullptr;
}

BackendServerState* BackendPool::PickFromRing(std::uint64_t key,
                                              const std::vector<const BackendServerState*>& tried,
                                              std::chrono::steady_clock::time_point now) const {
  if (ring_.empty()) return nullptr;
  const std::uint64_t point = Mix(key);
  auto it = std::lower_bound(ring_.begin(), ring_.end(),
                             std::pair<std::uint64_t, std::uint32_t>{point, 0});
  size_t at = static_cast<size_t>(it - ring_.begin());
  for (size_t step = 0; step < ring_.size(); ++step) {
    const Server& server = servers_[ring_[(at + step) % ring_.size()].second];
    if (!Usable(server, now)) continue;
    if (std::find(tried.begin(), tried.end(), server.state.get()) != tried.end()) continue;
    return server.state.get();
  }
  return nullptr;
}

BackendServerState* BackendPool::PickLeastLoaded(
    const std::vector<const BackendServerState*>& tried,
    std::chrono::steady_clock::time_point now) const {
  // Fewest in flight per unit of weight; ties go round-robin so an idle pool still spreads.
  const std::uint64_t start = cursor_.fetch_add(1, std::memory_order_relaxed);
  BackendServerState* best = nullptr;
  long best_active = 0;
  int best_weight = 1;
  for (size_t step = 0; step < servers_.size(); ++step) {
    const Server& server = servers_[(start + step) % servers_.size()];
    if (!Usable(server, now)) continue;
    if (std::find(tried.begin(), tried.end(), server.state.get()) != tried.end()) continue;
    const long active = server.state->active();
    // active / weight < best_active / best_weight, without division.
    if (best == nullptr || active * best_weight < best_active * server.weight) {
      best = server.state.get();
      best_active = active;
      best_weight = server.weight;
    }
  }
  return best;
}

const BackendServerState* BackendPool::ServerWithToken(std::uint64_t token) const {
  for (const auto& server : servers_) {
    if (TokenOf(*server.state) == token) return server.state.get();
  }
  return nullptr;
}

std::uint64_t BackendPool::TokenOf(const BackendServerState& server) const {
  return Mix(group_salt_ ^ EndpointHash(server.endpoint()));
}

}  // namespace openalb
