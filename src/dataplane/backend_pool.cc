#include "dataplane/backend_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <numeric>

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

}  // namespace

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

BackendPool::BackendPool(std::string server_group_id, std::vector<Server> servers, bool source_hash)
    : server_group_id_(std::move(server_group_id)),
      servers_(std::move(servers)),
      order_(SmoothOrder(servers_)),
      source_hash_(source_hash) {}

BackendServerState* BackendPool::Pick(std::uint64_t client_hash,
                                      const std::vector<const BackendServerState*>& tried) const {
  if (order_.empty()) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t start =
      source_hash_ ? client_hash : cursor_.fetch_add(1, std::memory_order_relaxed);
  for (size_t step = 0; step < order_.size(); ++step) {
    BackendServerState* candidate = servers_[order_[(start + step) % order_.size()]].state.get();
    if (!candidate->Healthy(now)) continue;
    if (std::find(tried.begin(), tried.end(), candidate) != tried.end()) continue;
    return candidate;
  }
  return nullptr;
}

}  // namespace openalb
