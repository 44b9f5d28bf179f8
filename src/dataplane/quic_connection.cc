#include "dataplane/quic_connection.h"

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

#include "dataplane/access_log_line.h"
#include "dataplane/forwarding.h"
#include "dataplane/h3_exchange.h"
#include "dataplane/rule_actions.h"

namespace openalb {
namespace {

namespace http = boost::beast::http;

// QUIC's TLS 1.3 suite, as OpenSSL (and so HTTPS listeners' log lines) names it.
std::string Tls13SuiteName(gnutls_cipher_algorithm_t cipher) {
  switch (cipher) {
    case GNUTLS_CIPHER_AES_128_GCM:
      return "TLS_AES_128_GCM_SHA256";
    case GNUTLS_CIPHER_AES_256_GCM:
      return "TLS_AES_256_GCM_SHA384";
    case GNUTLS_CIPHER_CHACHA20_POLY1305:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case GNUTLS_CIPHER_AES_128_CCM:
      return "TLS_AES_128_CCM_SHA256";
    default: {
      const char* name = gnutls_cipher_get_name(cipher);
      return name != nullptr ? name : "";
    }
  }
}

constexpr size_t kServerCidLength = 18;
constexpr size_t kMaxPacket = 1452;
constexpr size_t kMaxBatchedPackets = 16;  // per GSO send (64 KiB is the kernel's limit)
constexpr std::uint64_t kMaxRequestBody = 16ull * 1024 * 1024;
constexpr std::uint64_t kStreamWindow = 256 * 1024;
constexpr std::uint64_t kConnectionWindow = 1024 * 1024;
constexpr std::uint64_t kMaxStreamsPerConnection = 100;
// TLS 1.3 only, the suites QUIC allows, no middlebox compatibility mode.
constexpr const char* kPriority =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:"
    "+AES-256-GCM:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1";
constexpr std::string_view kAlpn = "h3";

void ToSockaddr(const boost::asio::ip::udp::endpoint& endpoint, ngtcp2_sockaddr_union& out) {
  std::memcpy(&out, endpoint.data(), std::min<size_t>(endpoint.size(), sizeof out));
}

ngtcp2_path PathOf(ngtcp2_sockaddr_union& local, const boost::asio::ip::udp::endpoint& l,
                   ngtcp2_sockaddr_union& remote, const boost::asio::ip::udp::endpoint& r) {
  return ngtcp2_path{{&local.sa, static_cast<ngtcp2_socklen>(l.size())},
                     {&remote.sa, static_cast<ngtcp2_socklen>(r.size())},
                     nullptr};
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string_view ViewOf(nghttp3_rcbuf* buffer) {
  const nghttp3_vec vec = nghttp3_rcbuf_get_buf(buffer);
  return {reinterpret_cast<const char*>(vec.base), vec.len};
}

}  // namespace

// What a request's access-log line needs besides its counters' figures (set when the
// listener logs). At namespace scope: clang cannot construct a nested class with default
// member initializers before the enclosing one is complete.
struct QuicRequestLogFacts {
  std::chrono::system_clock::time_point time;
  std::string client_ip;
  int client_port = 0;
  std::string sni, cipher, certificate_id;
  LoggedRequest request;
  std::string upstream_addr;
  unsigned upstream_status = 0;
  std::chrono::microseconds upstream_time{-1};
};

struct QuicConnection::Request {
  // Ends in the listener's counters (status 0: closed before an answer) and, when it logs,
  // its access log.
  ~Request() {
    if (route == nullptr) return;
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (ListenerTelemetry* telemetry = route->telemetry()) {
      telemetry->RequestDone(answered ? status : 0, bytes_in, answered ? answer_size : 0, took);
    }
    if (AccessLogWriter* log = route->access_log(); log != nullptr && log_facts) {
      WriteAccessLog(*log, took);
    }
  }
  void WriteAccessLog(AccessLogWriter& log, std::chrono::microseconds took) const {
    AccessLogFields fields;
    fields.time = log_facts->time;
    route->SetListenerFields(fields);
    fields.client_ip = log_facts->client_ip;
    fields.client_port = log_facts->client_port;
    fields.SetTls(log_facts->sni, "TLSv1.3", log_facts->cipher, log_facts->certificate_id);
    fields.SetRequest(log_facts->request, route->options().log_custom_headers);
    fields.protocol = "HTTP/3.0";
    fields.status = answered ? status : 0;
    fields.request_length = bytes_in;
    fields.body_bytes_sent = answered ? answer_size : 0;
    fields.upstream_addr = log_facts->upstream_addr;
    fields.upstream_status = log_facts->upstream_status;
    fields.request_time = took;
    fields.upstream_response_time = log_facts->upstream_time;
    log.Write(fields);
  }
  std::optional<QuicRequestLogFacts> log_facts;
  std::shared_ptr<const ListenerSnapshot> route;  // the listener's snapshot at its start
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  unsigned status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t answer_size = 0;
  std::int64_t stream_id = 0;
  std::string method;
  std::string path;
  std::string authority;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  ByteBudget::Hold body_hold;  // the body's share of the data plane's buffered-bytes cap
  bool too_large = false;
  bool over_budget = false;
  bool answered = false;
  std::string answer_body;  // kept until the stream closes: nghttp3 sends it from here
  bool answer_given = false;
};

QuicConnection::QuicConnection(QuicEndpoint& endpoint,
                               std::shared_ptr<const ListenerSnapshot> snapshot,
                               const boost::asio::ip::udp::endpoint& local,
                               const boost::asio::ip::udp::endpoint& remote)
    : endpoint_(endpoint),
      io_(endpoint.io()),
      snapshot_(std::move(snapshot)),
      local_(local),
      remote_(remote),
      timer_(endpoint.io()) {
  ToSockaddr(local_, local_address_);
  ToSockaddr(remote_, remote_address_);
}

QuicConnection::~QuicConnection() {
  if (h3_ != nullptr) nghttp3_conn_del(h3_);
  if (conn_ != nullptr) ngtcp2_conn_del(conn_);
  if (tls_ != nullptr) gnutls_deinit(tls_);
}

std::uint64_t QuicConnection::Now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

ngtcp2_conn* QuicConnection::GetConn(ngtcp2_crypto_conn_ref* ref) {
  return static_cast<QuicConnection*>(ref->user_data)->conn_;
}

bool QuicConnection::Init(const ngtcp2_pkt_hd& header, const ngtcp2_cid* retried_from,
                          ConnectionLimiter::Slot slot) {
  slot_ = std::move(slot);
  ngtcp2_callbacks callbacks{};
  callbacks.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  callbacks.encrypt = ngtcp2_crypto_encrypt_cb;
  callbacks.decrypt = ngtcp2_crypto_decrypt_cb;
  callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb;
  callbacks.update_key = ngtcp2_crypto_update_key_cb;
  callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  callbacks.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  callbacks.rand = OnRand;
  callbacks.get_new_connection_id = OnNewConnectionId;
  callbacks.remove_connection_id = OnRemoveConnectionId;
  callbacks.recv_stream_data = OnReceiveStreamData;
  callbacks.acked_stream_data_offset = OnAckedStreamData;
  callbacks.stream_close = OnStreamClose;
  callbacks.stream_reset = OnStreamReset;
  callbacks.stream_stop_sending = OnStreamStopSending;
  callbacks.extend_max_remote_streams_bidi = OnExtendMaxRemoteStreams;
  callbacks.extend_max_stream_data = OnExtendMaxStreamData;
  callbacks.handshake_completed = OnHandshakeCompleted;

  ngtcp2_settings settings;
  ngtcp2_settings_default(&settings);
  settings.initial_ts = Now();
  settings.max_tx_udp_payload_size = kMaxPacket;
  settings.handshake_timeout = 10ull * NGTCP2_SECONDS;
  if (retried_from != nullptr) settings.token = header.token;  // the address is validated

  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_stream_data_bidi_local = kStreamWindow;
  params.initial_max_stream_data_bidi_remote = kStreamWindow;
  params.initial_max_stream_data_uni = kStreamWindow;
  params.initial_max_data = kConnectionWindow;
  params.initial_max_streams_bidi = kMaxStreamsPerConnection;
  params.initial_max_streams_uni = 3;
  params.max_idle_timeout =
      static_cast<std::uint64_t>(snapshot_->options().idle_timeout_s) * NGTCP2_SECONDS;
  params.active_connection_id_limit = 7;
  params.original_dcid = header.dcid;
  if (retried_from != nullptr) {
    params.original_dcid = *retried_from;
    params.retry_scid = header.dcid;
    params.retry_scid_present = 1;
  }
  original_dcid_ = header.dcid;

  ngtcp2_cid scid;
  scid.datalen = kServerCidLength;
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  params.stateless_reset_token_present = 1;
  const auto& secret = endpoint_.reset_secret();
  if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, secret.data(),
                                                   secret.size(), &scid) != 0) {
    return false;
  }
  ngtcp2_path path = PathOf(local_address_, local_, remote_address_, remote_);
  if (ngtcp2_conn_server_new(&conn_, &header.scid, &scid, &path, header.version, &callbacks,
                             &settings, &params, nullptr, this) != 0) {
    return false;
  }

  // Session tickets are sent after the handshake; early data (0-RTT) stays off, as its replay
  // protection is not built.
  if (gnutls_init(&tls_, GNUTLS_SERVER) < 0) return false;
  const auto rotation = std::chrono::duration_cast<std::chrono::seconds>(
      endpoint_.sessions().limits.ticket_key_rotation);
  gnutls_db_set_cache_expiration(tls_,
                                 static_cast<int>(std::max<std::int64_t>(1, rotation.count())));
  if (gnutls_priority_set_direct(tls_, kPriority, nullptr) < 0) return false;
  if (ngtcp2_crypto_gnutls_configure_server_session(tls_) != 0) return false;
  if (gnutls_credentials_set(tls_, GNUTLS_CRD_CERTIFICATE, endpoint_.credentials()) < 0) {
    return false;
  }
  const gnutls_datum_t alpn{reinterpret_cast<unsigned char*>(const_cast<char*>(kAlpn.data())),
                            static_cast<unsigned>(kAlpn.size())};
  if (gnutls_alpn_set_protocols(tls_, &alpn, 1, GNUTLS_ALPN_MANDATORY) < 0) return false;
  tls_state_.conn_ref.get_conn = GetConn;
  tls_state_.conn_ref.user_data = this;
  tls_state_.snapshot = snapshot_;
  tls_state_.certificates = &endpoint_.certificates();
  tls_state_.ticket_secret = &endpoint_.ticket_secret();
  gnutls_session_set_ptr(tls_, &tls_state_);
  ChooseCertificateOnClientHello(tls_);
  ngtcp2_conn_set_tls_native_handle(conn_, tls_);

  auto self = shared_from_this();
  endpoint_.AddConnectionId(scid, self);
  endpoint_.AddConnectionId(header.dcid, self);
  slot_.Track(weak_from_this());
  return true;
}

void QuicConnection::Abandon() {
  finished_ = true;
  timer_.cancel();
  slot_ = ConnectionLimiter::Slot{};
}

void QuicConnection::Reclaim() {
  boost::asio::post(io_, [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->finished_ || !self->handshake_ended_ || !self->requests_.empty()) return;
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    ngtcp2_connection_close_error_set_application_error(&error, NGHTTP3_H3_NO_ERROR, nullptr, 0);
    self->CloseWith(error);
  });
}

void QuicConnection::UpdateSlot() {
  if (handshake_ended_ && requests_.empty()) {
    slot_.Idle();
  } else {
    slot_.Busy();
  }
}

std::vector<ngtcp2_cid> QuicConnection::ConnectionIds() const {
  std::vector<ngtcp2_cid> ids;
  if (conn_ != nullptr) {
    ids.resize(ngtcp2_conn_get_num_scid(conn_));
    ngtcp2_conn_get_scid(conn_, ids.data());
  }
  ids.push_back(original_dcid_);
  return ids;
}

void QuicConnection::OnDatagram(const boost::asio::ip::udp::endpoint& remote,
                                const std::uint8_t* data, size_t size) {
  if (finished_) return;
  auto self = shared_from_this();  // a close below removes the listener's reference
  if (remote != remote_) {  // the client's address or port changed: ngtcp2 validates the path
    remote_ = remote;
    ToSockaddr(remote_, remote_address_);
  }
  ngtcp2_path path = PathOf(local_address_, local_, remote_address_, remote_);
  ngtcp2_pkt_info info{};
  reading_ = true;  // an answer given from a callback is written after the read, not inside it
  const int rv = ngtcp2_conn_read_pkt(conn_, &path, &info, data, size, Now());
  reading_ = false;
  if (rv != 0) {
    if (rv == NGTCP2_ERR_DRAINING || rv == NGTCP2_ERR_DROP_CONN) {
      handshake_failure_ = HandshakeFailure::kClosed;  // the client closed it
      return Finish();
    }
    return Close(rv);
  }
  Flush();
}

void QuicConnection::Flush() {
  if (finished_) return;
  // Packets to one destination gather here and leave in one GSO send. A batch's packets are
  // all as long as its first except the last: a longer packet, or one for another path (a
  // migration's probe), starts a batch of its own; a shorter one ends its batch.
  std::array<std::uint8_t, kMaxPacket * kMaxBatchedPackets> batch;
  size_t used = 0;
  size_t segment = 0;
  boost::asio::ip::udp::endpoint batch_to;
  auto send_batch = [&] {
    if (used > 0) endpoint_.SendPackets(batch_to, batch.data(), used, segment);
    used = 0;
  };
  ngtcp2_path_storage storage;
  ngtcp2_path_storage_zero(&storage);
  ngtcp2_pkt_info info{};
  for (;;) {
    std::int64_t stream_id = -1;
    int fin = 0;
    std::array<nghttp3_vec, 16> vec{};
    nghttp3_ssize count = 0;
    if (h3_ != nullptr && ngtcp2_conn_get_max_data_left(conn_) > 0) {
      count = nghttp3_conn_writev_stream(h3_, &stream_id, &fin, vec.data(), vec.size());
      if (count < 0) return Close(NGTCP2_ERR_INTERNAL);
    }
    ngtcp2_ssize written_data = -1;
    std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (fin != 0) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    const ngtcp2_ssize n = ngtcp2_conn_writev_stream(
        conn_, &storage.path, &info, batch.data() + used, kMaxPacket, &written_data, flags,
        stream_id, reinterpret_cast<const ngtcp2_vec*>(vec.data()), static_cast<size_t>(count),
        Now());
    if (n < 0) {
      if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
        nghttp3_conn_block_stream(h3_, stream_id);
        continue;
      }
      if (n == NGTCP2_ERR_STREAM_SHUT_WR) {
        nghttp3_conn_shutdown_stream_write(h3_, stream_id);
        continue;
      }
      if (n == NGTCP2_ERR_WRITE_MORE) {
        if (nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(written_data)) != 0) {
          return Close(NGTCP2_ERR_INTERNAL);
        }
        continue;
      }
      send_batch();
      return Close(static_cast<int>(n));
    }
    if (written_data >= 0 && h3_ != nullptr &&
        nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(written_data)) != 0) {
      return Close(NGTCP2_ERR_INTERNAL);
    }
    if (n == 0) break;
    boost::asio::ip::udp::endpoint to;
    std::memcpy(to.data(), storage.path.remote.addr,
                std::min<size_t>(storage.path.remote.addrlen, to.capacity()));
    to.resize(storage.path.remote.addrlen);
    const auto size = static_cast<size_t>(n);
    if (used > 0 && (to != batch_to || size > segment)) {  // cannot join this batch
      std::array<std::uint8_t, kMaxPacket> packet;
      std::memcpy(packet.data(), batch.data() + used, size);
      send_batch();
      std::memcpy(batch.data(), packet.data(), size);
    }
    if (used == 0) {
      batch_to = to;
      segment = size;
    }
    used += size;
    if (size < segment || used + kMaxPacket > batch.size()) send_batch();
  }
  send_batch();
  ArmTimer();
}

void QuicConnection::ArmTimer() {
  const std::uint64_t expiry = ngtcp2_conn_get_expiry(conn_);
  const std::uint64_t now = Now();
  const std::uint64_t delay = expiry > now ? expiry - now : 0;
  timer_.expires_after(
      std::chrono::nanoseconds(std::min<std::uint64_t>(delay, 3600ull * NGTCP2_SECONDS)));
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->OnTimer();
  });
}

void QuicConnection::OnTimer() {
  if (finished_) return;
  auto self = shared_from_this();
  const int rv = ngtcp2_conn_handle_expiry(conn_, Now());
  if (rv != 0) {
    if (rv == NGTCP2_ERR_IDLE_CLOSE || rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
      handshake_failure_ = HandshakeFailure::kTimeout;
      return Finish();
    }
    return Close(rv);
  }
  Flush();
}

void QuicConnection::Close(int liberr) {
  if (finished_) return;
  ngtcp2_connection_close_error error;
  ngtcp2_connection_close_error_default(&error);
  if (liberr == NGTCP2_ERR_CRYPTO) {
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &error, ngtcp2_conn_get_tls_alert(conn_), nullptr, 0);
  } else {
    ngtcp2_connection_close_error_set_transport_error_liberr(&error, liberr, nullptr, 0);
  }
  CloseWith(error);
}

void QuicConnection::CloseWith(const ngtcp2_connection_close_error& error) {
  if (finished_) return;
  if (!ngtcp2_conn_is_in_closing_period(conn_) && !ngtcp2_conn_is_in_draining_period(conn_)) {
    std::array<std::uint8_t, kMaxPacket> buffer;
    ngtcp2_path_storage storage;
    ngtcp2_path_storage_zero(&storage);
    ngtcp2_pkt_info info{};
    const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(
        conn_, &storage.path, &info, buffer.data(), buffer.size(), &error, Now());
    if (n > 0) endpoint_.SendPacket(remote_, buffer.data(), static_cast<size_t>(n));
  }
  if (!tls_state_.failure.empty()) {
    spdlog::warn("event=quic_handshake_failed client={} detail=\"{}\"",
                 remote_.address().to_string(), tls_state_.failure);
  }
  Finish();
}

void QuicConnection::Finish() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (!handshake_ended_) {
    handshake_ended_ = true;
    endpoint_.HandshakeEnded();
    if (ListenerTelemetry* telemetry = snapshot_->telemetry()) {
      telemetry->HandshakeFailed(handshake_failure_);
    }
  }
  slot_ = ConnectionLimiter::Slot{};  // its place goes back now, not when the last reference goes
  endpoint_.Closed(this);
}

// Transport callbacks.

void QuicConnection::OnRand(std::uint8_t* dest, size_t size, const ngtcp2_rand_ctx*) {
  gnutls_rnd(GNUTLS_RND_RANDOM, dest, size);
}

int QuicConnection::OnNewConnectionId(ngtcp2_conn*, ngtcp2_cid* cid, std::uint8_t* token,
                                      size_t length, void* user) {
  auto* self = static_cast<QuicConnection*>(user);
  if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, length) < 0) return NGTCP2_ERR_CALLBACK_FAILURE;
  cid->datalen = length;
  const auto& secret = self->endpoint_.reset_secret();
  if (ngtcp2_crypto_generate_stateless_reset_token(token, secret.data(), secret.size(), cid) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  self->endpoint_.AddConnectionId(*cid, self->shared_from_this());
  return 0;
}

int QuicConnection::OnRemoveConnectionId(ngtcp2_conn*, const ngtcp2_cid* cid, void* user) {
  static_cast<QuicConnection*>(user)->endpoint_.RemoveConnectionId(*cid);
  return 0;
}

int QuicConnection::OnHandshakeCompleted(ngtcp2_conn*, void* user) {
  auto* self = static_cast<QuicConnection*>(user);
  if (!self->handshake_ended_) {
    self->handshake_ended_ = true;
    self->endpoint_.HandshakeEnded();
    if (ListenerTelemetry* telemetry = self->snapshot_->telemetry()) {
      telemetry->HandshakeDone(TlsVersionLabel::kTls13, self->tls_state_.chosen_ecdsa,
                               gnutls_session_is_resumed(self->tls_) != 0);
    }
  }
  self->UpdateSlot();
  return self->SetUpHttp3() ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

int QuicConnection::OnReceiveStreamData(ngtcp2_conn* conn, std::uint32_t flags,
                                        std::int64_t stream_id, std::uint64_t,
                                        const std::uint8_t* data, size_t size, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ == nullptr && !self->SetUpHttp3()) return NGTCP2_ERR_CALLBACK_FAILURE;
  const nghttp3_ssize consumed = nghttp3_conn_read_stream(
      self->h3_, stream_id, data, size, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0 ? 1 : 0);
  if (consumed < 0) return NGTCP2_ERR_CALLBACK_FAILURE;
  ngtcp2_conn_extend_max_stream_offset(conn, stream_id, static_cast<std::uint64_t>(consumed));
  ngtcp2_conn_extend_max_offset(conn, static_cast<std::uint64_t>(consumed));
  return 0;
}

int QuicConnection::OnAckedStreamData(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                      std::uint64_t size, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ != nullptr && nghttp3_conn_add_ack_offset(self->h3_, stream_id, size) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int QuicConnection::OnStreamClose(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id,
                                  std::uint64_t app_error, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if ((flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) == 0) app_error = NGHTTP3_H3_NO_ERROR;
  if (self->h3_ != nullptr) {
    const int rv = nghttp3_conn_close_stream(self->h3_, stream_id, app_error);
    if (rv != 0 && rv != NGHTTP3_ERR_STREAM_NOT_FOUND) return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  if (ngtcp2_is_bidi_stream(stream_id) != 0) ngtcp2_conn_extend_max_streams_bidi(conn, 1);
  self->requests_.erase(stream_id);
  self->UpdateSlot();
  return 0;
}

int QuicConnection::OnStreamReset(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                  std::uint64_t, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ != nullptr && nghttp3_conn_shutdown_stream_read(self->h3_, stream_id) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int QuicConnection::OnStreamStopSending(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                        void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ != nullptr && nghttp3_conn_shutdown_stream_read(self->h3_, stream_id) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int QuicConnection::OnExtendMaxRemoteStreams(ngtcp2_conn*, std::uint64_t max_streams, void* user) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ != nullptr) nghttp3_conn_set_max_client_streams_bidi(self->h3_, max_streams);
  return 0;
}

int QuicConnection::OnExtendMaxStreamData(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                          void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  if (self->h3_ != nullptr && nghttp3_conn_unblock_stream(self->h3_, stream_id) != 0) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

// HTTP/3.

bool QuicConnection::SetUpHttp3() {
  if (h3_ != nullptr) return true;
  if (ngtcp2_conn_get_streams_uni_left(conn_) < 3) return false;
  nghttp3_callbacks callbacks{};
  callbacks.acked_stream_data = OnH3AckedData;
  callbacks.stream_close = OnH3StreamClose;
  callbacks.recv_data = OnH3ReceiveData;
  callbacks.deferred_consume = OnH3DeferredConsume;
  callbacks.begin_headers = OnH3BeginHeaders;
  callbacks.recv_header = OnH3ReceiveHeader;
  callbacks.end_stream = OnH3EndStream;
  callbacks.stop_sending = OnH3StopSending;
  callbacks.reset_stream = OnH3ResetStream;
  nghttp3_settings settings;
  nghttp3_settings_default(&settings);
  settings.qpack_max_dtable_capacity = 4096;
  settings.qpack_blocked_streams = 100;
  if (nghttp3_conn_server_new(&h3_, &callbacks, &settings, nghttp3_mem_default(), this) != 0) {
    return false;
  }
  nghttp3_conn_set_max_client_streams_bidi(h3_, kMaxStreamsPerConnection);
  std::int64_t control = 0, encoder = 0, decoder = 0;
  if (ngtcp2_conn_open_uni_stream(conn_, &control, nullptr) != 0 ||
      nghttp3_conn_bind_control_stream(h3_, control) != 0 ||
      ngtcp2_conn_open_uni_stream(conn_, &encoder, nullptr) != 0 ||
      ngtcp2_conn_open_uni_stream(conn_, &decoder, nullptr) != 0 ||
      nghttp3_conn_bind_qpack_streams(h3_, encoder, decoder) != 0) {
    return false;
  }
  return true;
}

int QuicConnection::OnH3AckedData(nghttp3_conn*, std::int64_t, std::uint64_t, void*, void*) {
  return 0;  // answer bodies are kept whole until their stream closes
}

int QuicConnection::OnH3StreamClose(nghttp3_conn*, std::int64_t stream_id, std::uint64_t,
                                    void* user, void*) {
  static_cast<QuicConnection*>(user)->requests_.erase(stream_id);
  return 0;
}

int QuicConnection::OnH3BeginHeaders(nghttp3_conn*, std::int64_t stream_id, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  auto request = std::make_unique<Request>();
  request->stream_id = stream_id;
  request->route = self->endpoint_.CurrentSnapshot();
  request->body_hold = ByteBudget::Hold(&self->endpoint_.sessions().buffers);
  self->requests_[stream_id] = std::move(request);
  self->UpdateSlot();
  return 0;
}

int QuicConnection::OnH3ReceiveHeader(nghttp3_conn*, std::int64_t stream_id, std::int32_t,
                                      nghttp3_rcbuf* name, nghttp3_rcbuf* value, std::uint8_t,
                                      void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  auto it = self->requests_.find(stream_id);
  if (it == self->requests_.end()) return 0;
  Request& request = *it->second;
  const std::string_view n = ViewOf(name);
  const std::string_view v = ViewOf(value);
  if (n == ":method") {
    request.method = v;
  } else if (n == ":path") {
    request.path = v;
  } else if (n == ":authority") {
    request.authority = v;
  } else if (!n.empty() && n.front() != ':') {
    request.headers.emplace_back(std::string(n), std::string(v));
  }
  return 0;
}

int QuicConnection::OnH3ReceiveData(nghttp3_conn*, std::int64_t stream_id, const std::uint8_t* data,
                                    size_t size, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  // The bytes are the application's now: give the client that much more room to send.
  ngtcp2_conn_extend_max_stream_offset(self->conn_, stream_id, size);
  ngtcp2_conn_extend_max_offset(self->conn_, size);
  auto it = self->requests_.find(stream_id);
  if (it == self->requests_.end()) return 0;
  Request& request = *it->second;
  request.bytes_in += size;
  if (request.too_large || request.over_budget) return 0;
  if (request.body.size() + size > kMaxRequestBody) {
    request.too_large = true;
    request.body.clear();
    request.body_hold.Reset();
    return 0;
  }
  if (!request.body_hold.Grow(size)) {  // many bodies held at once: refused, as on HTTPS
    request.over_budget = true;
    request.body.clear();
    request.body_hold.Reset();
    return 0;
  }
  request.body.append(reinterpret_cast<const char*>(data), size);
  return 0;
}

int QuicConnection::OnH3DeferredConsume(nghttp3_conn*, std::int64_t stream_id, size_t consumed,
                                        void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  ngtcp2_conn_extend_max_stream_offset(self->conn_, stream_id, consumed);
  ngtcp2_conn_extend_max_offset(self->conn_, consumed);
  return 0;
}

int QuicConnection::OnH3EndStream(nghttp3_conn*, std::int64_t stream_id, void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  auto it = self->requests_.find(stream_id);
  if (it != self->requests_.end()) self->HandleRequest(*it->second);
  return 0;
}

int QuicConnection::OnH3StopSending(nghttp3_conn*, std::int64_t stream_id, std::uint64_t app_error,
                                    void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  ngtcp2_conn_shutdown_stream_read(self->conn_, stream_id, app_error);
  return 0;
}

int QuicConnection::OnH3ResetStream(nghttp3_conn*, std::int64_t stream_id, std::uint64_t app_error,
                                    void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  ngtcp2_conn_shutdown_stream_write(self->conn_, stream_id, app_error);
  return 0;
}

nghttp3_ssize QuicConnection::ReadAnswerBody(nghttp3_conn*, std::int64_t stream_id,
                                             nghttp3_vec* vec, size_t count, std::uint32_t* flags,
                                             void* user, void*) {
  auto* self = static_cast<QuicConnection*>(user);
  auto it = self->requests_.find(stream_id);
  *flags |= NGHTTP3_DATA_FLAG_EOF;
  if (it == self->requests_.end() || it->second->answer_given || count == 0 ||
      it->second->answer_body.empty()) {
    return 0;
  }
  Request& request = *it->second;
  request.answer_given = true;
  vec[0].base = reinterpret_cast<std::uint8_t*>(request.answer_body.data());
  vec[0].len = request.answer_body.size();
  return 1;
}

void QuicConnection::CaptureForLog(Request& request) {
  if (request.route == nullptr || request.route->access_log() == nullptr) return;
  QuicRequestLogFacts& facts = request.log_facts.emplace();
  facts.time = std::chrono::system_clock::now() -
               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                   std::chrono::steady_clock::now() - request.started);  // when it began
  facts.client_ip = remote_.address().to_string();
  facts.client_port = remote_.port();
  std::array<char, 256> name{};
  size_t name_size = name.size() - 1;
  unsigned type = 0;
  if (gnutls_server_name_get(tls_, name.data(), &name_size, &type, 0) == 0) {
    facts.sni.assign(name.data(), std::min(name_size, name.size() - 1));
  }
  facts.cipher = Tls13SuiteName(gnutls_cipher_get(tls_));
  facts.certificate_id = tls_state_.chosen_certificate_id;
  http::fields fields;
  for (const auto& [field, value] : request.headers) fields.insert(field, value);
  if (!request.authority.empty()) fields.set(http::field::host, request.authority);
  facts.request = ::openalb::CaptureForLog(request.method, request.path, fields,
                                           request.route->options().log_custom_headers);
}

void QuicConnection::HandleRequest(Request& request) {
  CaptureForLog(request);
  const std::int64_t stream_id = request.stream_id;
  auto plain = [&](unsigned status, std::string_view body) {
    Answer(stream_id, status, {{"content-type", "text/plain; charset=utf-8"}}, std::string(body));
  };
  if (request.too_large) {
    return plain(413, "413 Payload Too Large: HTTP/3 request bodies are limited to 16 MiB.\n");
  }
  if (request.over_budget) return plain(503, kBusyBody);
  if (request.method.empty() || request.path.empty()) {
    return plain(400, "400 Bad Request: a request needs :method and :path.\n");
  }
  const auto route = endpoint_.CurrentSnapshot();
  const auto client = remote_.address();
  if (const AddressAcl* acl = route->acl(); acl != nullptr && !acl->Admits(client)) {
    return plain(403, kAclRefusedBody);
  }
  http::request<http::string_body> forwarded;
  forwarded.method_string(request.method);
  forwarded.target(request.path);
  forwarded.version(11);
  for (const auto& [name, value] : request.headers) forwarded.insert(name, value);
  if (!request.authority.empty()) forwarded.set(http::field::host, request.authority);
  forwarded.body() = std::move(request.body);
  const std::string client_host(forwarded[http::field::host]);
  const std::string client_ip = client.to_string();
  const BackendPool* pool = route->forward();
  std::vector<std::pair<std::string, std::string>> response_headers;
  if (const RouteTable* routes = route->routes()) {
    std::string host;
    const RequestFacts facts = FactsOf(forwarded.base(), host, &client);
    if (const CompiledRule* rule = routes->Match(facts)) {
      const RequestOrigin origin{client_ip, remote_.port(), local_.port(), true};
      RuleOutcome outcome = ApplyRequestRule(*rule, *routes, forwarded.base(), origin,
                                             std::chrono::steady_clock::now());
      if (outcome.answer) {
        std::vector<std::pair<std::string, std::string>> fields = std::move(outcome.headers);
        if (!outcome.content_type.empty())
          fields.emplace_back("content-type", outcome.content_type);
        return Answer(stream_id, static_cast<unsigned>(outcome.status), std::move(fields),
                      std::move(outcome.body));
      }
      response_headers = std::move(outcome.response_headers);
      if (outcome.pool == nullptr) return plain(503, kNoServerBody);
      pool = outcome.pool;
    }
  }
  if (pool == nullptr) return plain(503, kNoForwardBody);
  if (pool->policy().grpc) {
    return plain(502, "502 Bad Gateway: gRPC is relayed over HTTP/2, not HTTP/3.\n");
  }
  PrepareForwardedHead(forwarded.base(),
                       ForwardingFacts{.client_ip = client_ip,
                                       .client_port = remote_.port(),
                                       .tls = true,
                                       .listener_port = route->port(),
                                       .load_balancer_id = route->load_balancer_id(),
                                       .client_host = client_host},
                       route->options());
  H3ForwardPlan plan;
  plan.affinity =
      AffinityOf(*pool, forwarded.base(), forwarded.target(), std::hash<std::string>{}(client_ip));
  plan.route = route;
  plan.pool = pool;
  plan.request = std::move(forwarded);
  plan.body_hold = std::move(request.body_hold);  // held until the exchange is over
  plan.response_headers = std::move(response_headers);
  const SessionLimits& limits = endpoint_.sessions().limits;
  plan.connect_timeout = limits.connect_timeout;
  plan.request_timeout = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(route->options().request_timeout_s), limits.response_timeout);
  plan.upstream_tls = &endpoint_.sessions().upstream_tls;
  ForwardH3Request(
      endpoint_.io(), std::move(plan), [weak = weak_from_this(), stream_id](H3Answer answer) {
        auto self = weak.lock();
        if (!self || self->finished_) return;
        std::vector<std::pair<std::string, std::string>> fields;
        for (const auto& field : answer.fields) {
          fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        if (auto it = self->requests_.find(stream_id);
            it != self->requests_.end() && it->second->log_facts) {
          auto& facts = *it->second->log_facts;
          facts.upstream_addr = std::move(answer.upstream_addr);
          facts.upstream_status = answer.upstream_status;
          facts.upstream_time = answer.upstream_time;
        }
        self->Answer(stream_id, answer.status, std::move(fields), std::move(answer.body));
      });
}

void QuicConnection::Answer(std::int64_t stream_id, unsigned status,
                            std::vector<std::pair<std::string, std::string>> fields,
                            std::string body) {
  auto it = requests_.find(stream_id);
  if (it == requests_.end() || it->second->answered || h3_ == nullptr) return;
  Request& request = *it->second;
  request.answered = true;
  request.status = status;
  request.answer_size = body.size();
  request.answer_body = std::move(body);
  const std::string status_text = std::to_string(status);
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(fields.size());
  for (auto& [name, value] : fields) lowered.emplace_back(Lower(std::move(name)), std::move(value));
  std::vector<nghttp3_nv> nva;
  nva.reserve(lowered.size() + 1);
  auto add = [&](std::string_view name, std::string_view value) {
    nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                   value.size(), NGHTTP3_NV_FLAG_NONE});
  };
  add(":status", status_text);
  for (const auto& [name, value] : lowered) add(name, value);
  nghttp3_data_reader reader{ReadAnswerBody};
  if (nghttp3_conn_submit_response(h3_, stream_id, nva.data(), nva.size(), &reader) != 0) {
    ngtcp2_conn_shutdown_stream(conn_, stream_id, NGHTTP3_H3_INTERNAL_ERROR);
  }
  // Inside ngtcp2_conn_read_pkt (a rule's answer, a refusal) ngtcp2 may not be written to:
  // OnDatagram flushes once the read returns.
  if (!reading_) Flush();
}

}  // namespace openalb
