#include "dataplane/quic_listener.h"

#include <gnutls/crypto.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "dataplane/quic_connection.h"

namespace openalb {
namespace {

namespace net = boost::asio;
using udp = net::ip::udp;

constexpr size_t kShortHeaderCidLength = 18;  // the length of every id this server issues
constexpr std::uint64_t kRetryTokenLifetime = 10ull * NGTCP2_SECONDS;
constexpr int kReadsPerWake = 64;  // datagrams read before other work on the thread gets a turn

std::uint64_t NowNs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::string Key(const std::uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

class UdpQuicListener final : public PortListener,
                              public QuicEndpoint,
                              public std::enable_shared_from_this<UdpQuicListener> {
 public:
  UdpQuicListener(net::io_context& io, std::shared_ptr<const ListenerSnapshot> snapshot,
                  std::shared_ptr<GnutlsCertificates> certificates, GnutlsCredentials credentials,
                  std::shared_ptr<SessionShared> sessions)
      : io_(io),
        socket_(io),
        snapshot_(std::move(snapshot)),
        certificates_(std::move(certificates)),
        credentials_(std::move(credentials)),
        sessions_(std::move(sessions)) {
    gnutls_rnd(GNUTLS_RND_KEY, reset_secret_.data(), reset_secret_.size());
    gnutls_rnd(GNUTLS_RND_KEY, token_secret_.data(), token_secret_.size());
    gnutls_rnd(GNUTLS_RND_KEY, ticket_secret_.data(), ticket_secret_.size());
  }
  ~UdpQuicListener() override { gnutls_memset(ticket_secret_.data(), 0, ticket_secret_.size()); }

  Result<void> Bind(const std::string& address, std::uint16_t port) {
    boost::system::error_code ec;
    auto ip = net::ip::make_address(address, ec);
    if (!ec) socket_.open(udp::endpoint(ip, port).protocol(), ec);
    if (!ec) socket_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) socket_.bind(udp::endpoint(ip, port), ec);
    if (!ec) socket_.non_blocking(true, ec);
    if (ec) {
      return Fail(ApiError{"OperationFailed.ListenerPort",
                           500,
                           "The QUIC listener's UDP port " + std::to_string(port) +
                               " cannot be opened on " + address + ": " + ec.message() + ".",
                           {}});
    }
    local_ = socket_.local_endpoint(ec);
    return {};
  }

  void Start() {
    // GRO: the kernel may hand several datagrams of one flow over in one read (split below).
    // (Kernels without it refuse the option; reads then carry one datagram each.)
    const int on = 1;
    (void)::setsockopt(socket_.native_handle(), SOL_UDP, UDP_GRO, &on, sizeof on);
    Receive();
  }

  // PortListener.
  void Publish(std::shared_ptr<const ListenerSnapshot> snapshot) override {
    std::atomic_store(&snapshot_, std::move(snapshot));
  }
  std::shared_ptr<const ListenerSnapshot> Current() const override {
    return std::atomic_load(&snapshot_);
  }
  std::uint16_t port() const override { return local_.port(); }
  void Stop() override {
    RunOnAndWait(io_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
      auto connections = std::move(self->connections_);
      self->connections_.clear();
      for (auto& [id, connection] : connections) connection->Abandon();
    });
  }

  // QuicEndpoint.
  void SendPacket(const udp::endpoint& to, const std::uint8_t* data, size_t size) override {
    boost::system::error_code ec;
    socket_.send_to(net::buffer(data, size), to, 0, ec);  // a full buffer drops it: QUIC resends
  }
  void SendPackets(const udp::endpoint& to, const std::uint8_t* data, size_t size,
                   size_t segment) override {
    if (size > segment && gso_) {
      iovec piece{const_cast<std::uint8_t*>(data), size};
      alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(std::uint16_t))> control{};
      msghdr message{};
      message.msg_name = const_cast<sockaddr*>(to.data());
      message.msg_namelen = static_cast<socklen_t>(to.size());
      message.msg_iov = &piece;
      message.msg_iovlen = 1;
      message.msg_control = control.data();
      message.msg_controllen = control.size();
      cmsghdr* header = CMSG_FIRSTHDR(&message);
      header->cmsg_level = SOL_UDP;
      header->cmsg_type = UDP_SEGMENT;
      header->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto segment_size = static_cast<std::uint16_t>(segment);
      std::memcpy(CMSG_DATA(header), &segment_size, sizeof segment_size);
      if (::sendmsg(socket_.native_handle(), &message, 0) >= 0 || errno == EAGAIN) return;
      if (errno != EIO && errno != EINVAL && errno != ENOPROTOOPT && errno != EOPNOTSUPP) return;
      gso_ = false;  // the kernel or the device does not segment: one datagram each from now on
      spdlog::info("event=quic_gso_unavailable detail=\"{}\"", std::strerror(errno));
    }
    for (size_t offset = 0; offset < size; offset += segment) {
      SendPacket(to, data + offset, std::min(segment, size - offset));
    }
  }
  void AddConnectionId(const ngtcp2_cid& cid,
                       const std::shared_ptr<QuicConnection>& connection) override {
    connections_[Key(cid.data, cid.datalen)] = connection;
  }
  void RemoveConnectionId(const ngtcp2_cid& cid) override {
    connections_.erase(Key(cid.data, cid.datalen));
  }
  void Closed(QuicConnection* connection) override {
    for (const auto& cid : connection->ConnectionIds()) RemoveConnectionId(cid);
  }
  void HandshakeEnded() override {
    if (handshaking_ > 0) --handshaking_;
  }
  const std::array<std::uint8_t, 32>& reset_secret() const override { return reset_secret_; }
  const std::array<unsigned char, 64>& ticket_secret() const override { return ticket_secret_; }
  net::io_context& io() override { return io_; }
  gnutls_certificate_credentials_t credentials() const override { return credentials_.get(); }
  GnutlsCertificates& certificates() override { return *certificates_; }
  std::shared_ptr<const ListenerSnapshot> CurrentSnapshot() const override { return Current(); }
  SessionShared& sessions() override { return *sessions_; }

 private:
  // Waits until the socket is readable, then reads datagrams with recvmsg (which, unlike
  // async_receive_from, shows the GRO segment size).
  void Receive() {
    socket_.async_wait(udp::socket::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) {
                         if (ec == net::error::operation_aborted || !self->socket_.is_open()) {
                           return;
                         }
                         if (!ec) self->ReadDatagrams();
                         self->Receive();
                       });
  }

  void ReadDatagrams() {
    for (int read = 0; read < kReadsPerWake && socket_.is_open(); ++read) {
      iovec into{buffer_.data(), buffer_.size()};
      alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
      msghdr message{};
      message.msg_name = sender_.data();
      message.msg_namelen = static_cast<socklen_t>(sender_.capacity());
      message.msg_iov = &into;
      message.msg_iovlen = 1;
      message.msg_control = control.data();
      message.msg_controllen = control.size();
      const ssize_t n = ::recvmsg(socket_.native_handle(), &message, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // EAGAIN: read everything there was
      sender_.resize(message.msg_namelen);
      auto size = static_cast<size_t>(n);
      size_t segment = size;
      for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
           header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_UDP && header->cmsg_type == UDP_GRO) {
          int gro_size = 0;
          std::memcpy(&gro_size, CMSG_DATA(header), sizeof gro_size);
          if (gro_size > 0) segment = static_cast<size_t>(gro_size);
        }
      }
      for (size_t offset = 0; offset < size; offset += segment) {
        OnDatagram(buffer_.data() + offset, std::min(segment, size - offset));
      }
    }
  }

  void OnDatagram(const std::uint8_t* data, size_t size) {
    ngtcp2_version_cid header;
    const int rv = ngtcp2_pkt_decode_version_cid(&header, data, size, kShortHeaderCidLength);
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) return SendVersionNegotiation(header);
    if (rv != 0) return;  // not QUIC: dropped
    if (auto it = connections_.find(Key(header.dcid, header.dcidlen)); it != connections_.end()) {
      auto connection = it->second;  // keeps it alive through the call
      return connection->OnDatagram(sender_, data, size);
    }
    if (header.version == 0) {  // short header, for no connection of ours
      // Without QUIC's fixed bit it is not a QUIC v1 packet (RFC 9000 §17.3): dropped.
      if ((data[0] & 0x40) == 0) return;
      return SendStatelessReset(header, size);
    }
    ngtcp2_pkt_hd initial;
    if (ngtcp2_accept(&initial, data, size) != 0) return;  // not an Initial we can take
    const auto snapshot = Current();
    ListenerTelemetry* telemetry = snapshot->telemetry();
    if (const AddressAcl* acl = snapshot->acl();
        acl != nullptr && !acl->Admits(sender_.address())) {
      if (telemetry != nullptr) telemetry->RefusedByAcl();
      return;  // refused: no handshake, no answer
    }
    // Address validation: a Retry token proves the client receives at its address.
    ngtcp2_cid retried_from;
    bool validated = false;
    if (initial.type == NGTCP2_PKT_INITIAL && initial.token.len > 0 &&
        initial.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
      if (ngtcp2_crypto_verify_retry_token(&retried_from, initial.token.base, initial.token.len,
                                           token_secret_.data(), token_secret_.size(),
                                           initial.version, sender_.data(),
                                           static_cast<ngtcp2_socklen>(sender_.size()),
                                           &initial.dcid, kRetryTokenLifetime, NowNs()) != 0) {
        return SendRefusal(initial, NGTCP2_INVALID_TOKEN);
      }
      validated = true;
    }
    if (!validated && handshaking_ >= sessions_->limits.quic_retry_above_handshakes) {
      return SendRetry(initial);
    }
    ConnectionLimiter::Slot slot;
    if (sessions_->connections.Admit(sender_.address().to_string(), slot) !=
        ConnectionLimiter::Verdict::kAdmitted) {
      if (telemetry != nullptr) telemetry->RefusedByLimit();
      return SendRefusal(initial, NGTCP2_CONNECTION_REFUSED);
    }
    if (telemetry != nullptr) telemetry->Accepted();
    auto connection = std::make_shared<QuicConnection>(*this, snapshot, local_, sender_);
    ++handshaking_;
    if (!connection->Init(initial, validated ? &retried_from : nullptr, std::move(slot))) {
      --handshaking_;
      spdlog::warn("event=quic_connection_not_started client={}", sender_.address().to_string());
      return;
    }
    connection->OnDatagram(sender_, data, size);
  }

  // A Retry: the client must come back with the token, from the same address, within
  // kRetryTokenLifetime. It costs one small packet and no state.
  void SendRetry(const ngtcp2_pkt_hd& initial) {
    ngtcp2_cid scid;
    scid.datalen = kShortHeaderCidLength;
    gnutls_rnd(GNUTLS_RND_NONCE, scid.data, scid.datalen);
    std::array<std::uint8_t, NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN> token;
    const ngtcp2_ssize token_size = ngtcp2_crypto_generate_retry_token(
        token.data(), token_secret_.data(), token_secret_.size(), initial.version, sender_.data(),
        static_cast<ngtcp2_socklen>(sender_.size()), &scid, &initial.dcid, NowNs());
    if (token_size < 0) return;
    std::array<std::uint8_t, 256> out;
    const ngtcp2_ssize n =
        ngtcp2_crypto_write_retry(out.data(), out.size(), initial.version, &initial.scid, &scid,
                                  &initial.dcid, token.data(), static_cast<size_t>(token_size));
    if (n > 0) SendPacket(sender_, out.data(), static_cast<size_t>(n));
  }

  // CONNECTION_CLOSE with `error` in an Initial packet, keeping no state.
  void SendRefusal(const ngtcp2_pkt_hd& initial, std::uint64_t error) {
    std::array<std::uint8_t, 256> out;
    const ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(
        out.data(), out.size(), initial.version, &initial.scid, &initial.dcid, error, nullptr, 0);
    if (n > 0) SendPacket(sender_, out.data(), static_cast<size_t>(n));
  }

  void SendVersionNegotiation(const ngtcp2_version_cid& header) {
    std::array<std::uint8_t, 256> out;
    const std::uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
    std::uint8_t random = 0;
    gnutls_rnd(GNUTLS_RND_NONCE, &random, 1);
    const auto n = ngtcp2_pkt_write_version_negotiation(out.data(), out.size(), random, header.scid,
                                                        header.scidlen, header.dcid, header.dcidlen,
                                                        versions, 1);
    if (n > 0) SendPacket(sender_, out.data(), static_cast<size_t>(n));
  }

  // A short-header packet for no connection of ours: a stateless reset, smaller than what
  // triggered it (so two servers cannot loop) and only for packets large enough to carry one.
  void SendStatelessReset(const ngtcp2_version_cid& header, size_t size) {
    constexpr size_t kMinReset = 41;
    if (size <= kMinReset || header.dcidlen != kShortHeaderCidLength) return;
    ngtcp2_cid cid;
    ngtcp2_cid_init(&cid, header.dcid, header.dcidlen);
    std::array<std::uint8_t, NGTCP2_STATELESS_RESET_TOKENLEN> token;
    if (ngtcp2_crypto_generate_stateless_reset_token(token.data(), reset_secret_.data(),
                                                     reset_secret_.size(), &cid) != 0) {
      return;
    }
    std::array<std::uint8_t, 64> random;
    const size_t random_size = std::min(random.size(), size - 1 - token.size());
    gnutls_rnd(GNUTLS_RND_NONCE, random.data(), random_size);
    std::array<std::uint8_t, 128> out;
    const auto n = ngtcp2_pkt_write_stateless_reset(out.data(), out.size(), token.data(),
                                                    random.data(), random_size);
    if (n > 0) SendPacket(sender_, out.data(), static_cast<size_t>(n));
  }

  net::io_context& io_;
  udp::socket socket_;
  udp::endpoint local_;
  udp::endpoint sender_;
  std::array<std::uint8_t, 65536> buffer_{};
  std::shared_ptr<const ListenerSnapshot> snapshot_;  // atomic_load / atomic_store only
  std::shared_ptr<GnutlsCertificates> certificates_;
  GnutlsCredentials credentials_;
  std::shared_ptr<SessionShared> sessions_;  // the data plane's connection caps and limits
  std::array<std::uint8_t, 32> reset_secret_{};
  std::array<std::uint8_t, 32> token_secret_{};    // Retry tokens
  std::array<unsigned char, 64> ticket_secret_{};  // session tickets (only in memory)
  std::unordered_map<std::string, std::shared_ptr<QuicConnection>> connections_;  // by every id
  size_t handshaking_ = 0;  // connections whose handshake has not ended
  bool gso_ = true;         // until a GSO send fails for want of support
};

}  // namespace

Result<std::shared_ptr<PortListener>> CreateQuicListener(
    IoWorkers& workers, const std::string& address, std::uint16_t port,
    std::shared_ptr<const ListenerSnapshot> snapshot,
    std::shared_ptr<GnutlsCertificates> certificates, std::shared_ptr<SessionShared> sessions) {
  auto credentials = MakeSniCredentials();
  if (!credentials) return Fail(credentials.error());
  auto listener = std::make_shared<UdpQuicListener>(workers.Next().io, std::move(snapshot),
                                                    std::move(certificates),
                                                    std::move(*credentials), std::move(sessions));
  if (auto r = listener->Bind(address, port); !r) return Fail(r.error());
  listener->Start();
  return std::shared_ptr<PortListener>(listener);
}

}  // namespace openalb
