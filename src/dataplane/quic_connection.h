// QuicConnection: one QUIC connection of a QUIC listener — ngtcp2 for the transport, GnuTLS
// (dataplane/gnutls_certificates.h: the certificate chosen by SNI from the listener's snapshot
// at the connection's first packet) for its TLS 1.3 handshake, nghttp3 for HTTP/3. Each
// request is routed and forwarded as an HTTPS request is (the listener's ACL, forwarding
// rules, default action, X-Forwarded-* headers with X-Forwarded-Proto https; h3_exchange.h)
// and answered on its stream. Lives on its listener's thread; the listener routes datagrams
// to it by connection id and removes it when it closes.
#pragma once

#include <gnutls/gnutls.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/connection_limiter.h"
#include "dataplane/gnutls_certificates.h"
#include "dataplane/listener_snapshot.h"
#include "dataplane/session_limits.h"

namespace openalb {

class QuicConnection;

// What a connection needs of its listener.
class QuicEndpoint {
 public:
  virtual ~QuicEndpoint() = default;
  virtual void SendPacket(const boost::asio::ip::udp::endpoint& to, const std::uint8_t* data,
                          size_t size) = 0;
  // Sends `size` bytes of packets of `segment` bytes each (the last may be shorter) to `to`:
  // one sendmsg with UDP GSO where the kernel offers it, one datagram each otherwise.
  virtual void SendPackets(const boost::asio::ip::udp::endpoint& to, const std::uint8_t* data,
                           size_t size, size_t segment) = 0;
  virtual void AddConnectionId(const ngtcp2_cid& cid,
                               const std::shared_ptr<QuicConnection>& connection) = 0;
  virtual void RemoveConnectionId(const ngtcp2_cid& cid) = 0;
  // The connection is over: forget every id of it.
  virtual void Closed(QuicConnection* connection) = 0;
  // The connection's handshake ended (completed or not): called once per connection, so the
  // endpoint knows how many handshakes are in flight (past a threshold it validates addresses).
  virtual void HandshakeEnded() = 0;
  virtual const std::array<std::uint8_t, 32>& reset_secret() const = 0;
  // The secret session ticket keys are derived from (with the certificate served).
  virtual const std::array<unsigned char, 64>& ticket_secret() const = 0;
  virtual boost::asio::io_context& io() = 0;
  virtual gnutls_certificate_credentials_t credentials() const = 0;
  virtual GnutlsCertificates& certificates() = 0;
  // The listener's snapshot now (requests are routed by it, as on HTTPS).
  virtual std::shared_ptr<const ListenerSnapshot> CurrentSnapshot() const = 0;
  // The data plane's limits and its TLS client context for HTTPS server groups.
  virtual SessionShared& sessions() = 0;
};

class QuicConnection : public std::enable_shared_from_this<QuicConnection>, public Reclaimable {
 public:
  QuicConnection(QuicEndpoint& endpoint, std::shared_ptr<const ListenerSnapshot> snapshot,
                 const boost::asio::ip::udp::endpoint& local,
                 const boost::asio::ip::udp::endpoint& remote);
  ~QuicConnection();
  QuicConnection(const QuicConnection&) = delete;
  QuicConnection& operator=(const QuicConnection&) = delete;

  // Sets the connection up from the client's first Initial packet (`header`, by ngtcp2_accept)
  // and registers its ids with the endpoint. `retried_from`: the id the client first used, when
  // this Initial carried a valid Retry token (its address is then validated). `slot`: its place
  // among the data plane's connections, given back when it ends; while it has no request in
  // flight the limiter may reclaim it (closed with H3_NO_ERROR) for another connection.
  // False when it cannot be set up.
  bool Init(const ngtcp2_pkt_hd& header, const ngtcp2_cid* retried_from,
            ConnectionLimiter::Slot slot);
  // One datagram from `remote`.
  void OnDatagram(const boost::asio::ip::udp::endpoint& remote, const std::uint8_t* data,
                  size_t size);
  // Every source connection id the connection has given out (to forget them).
  std::vector<ngtcp2_cid> ConnectionIds() const;
  // Reclaimable: closes the connection if it is still idle once on its own thread.
  void Reclaim() override;
  // The listener is stopping: the connection ends now, sending nothing and calling nothing of
  // the listener again. On the listener's thread.
  void Abandon();

 private:
  struct Request;  // one HTTP/3 request stream

  static ngtcp2_conn* GetConn(ngtcp2_crypto_conn_ref* ref);
  static std::uint64_t Now();

  // ngtcp2 callbacks.
  static int OnReceiveStreamData(ngtcp2_conn*, std::uint32_t flags, std::int64_t stream_id,
                                 std::uint64_t, const std::uint8_t* data, size_t size, void* user,
                                 void*);
  static int OnAckedStreamData(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                               std::uint64_t size, void* user, void*);
  static int OnStreamClose(ngtcp2_conn*, std::uint32_t flags, std::int64_t stream_id,
                           std::uint64_t app_error, void* user, void*);
  static int OnStreamReset(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t, std::uint64_t,
                           void* user, void*);
  static int OnStreamStopSending(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t, void* user,
                                 void*);
  static int OnExtendMaxRemoteStreams(ngtcp2_conn*, std::uint64_t max_streams, void* user);
  static int OnExtendMaxStreamData(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t, void* user,
                                   void*);
  static void OnRand(std::uint8_t* dest, size_t size, const ngtcp2_rand_ctx*);
  static int OnNewConnectionId(ngtcp2_conn*, ngtcp2_cid* cid, std::uint8_t* token, size_t length,
                               void* user);
  static int OnRemoveConnectionId(ngtcp2_conn*, const ngtcp2_cid* cid, void* user);
  static int OnHandshakeCompleted(ngtcp2_conn*, void* user);

  // nghttp3 callbacks.
  static int OnH3AckedData(nghttp3_conn*, std::int64_t stream_id, std::uint64_t size, void* user,
                           void* stream_user);
  static int OnH3StreamClose(nghttp3_conn*, std::int64_t stream_id, std::uint64_t, void* user,
                             void*);
  static int OnH3ReceiveData(nghttp3_conn*, std::int64_t stream_id, const std::uint8_t* data,
                             size_t size, void* user, void*);
  static int OnH3DeferredConsume(nghttp3_conn*, std::int64_t stream_id, size_t consumed, void* user,
                                 void*);
  static int OnH3BeginHeaders(nghttp3_conn*, std::int64_t stream_id, void* user, void*);
  static int OnH3ReceiveHeader(nghttp3_conn*, std::int64_t stream_id, std::int32_t,
                               nghttp3_rcbuf* name, nghttp3_rcbuf* value, std::uint8_t, void* user,
                               void*);
  static int OnH3EndStream(nghttp3_conn*, std::int64_t stream_id, void* user, void*);
  static int OnH3StopSending(nghttp3_conn*, std::int64_t stream_id, std::uint64_t app_error,
                             void* user, void*);
  static int OnH3ResetStream(nghttp3_conn*, std::int64_t stream_id, std::uint64_t app_error,
                             void* user, void*);
  static nghttp3_ssize ReadAnswerBody(nghttp3_conn*, std::int64_t stream_id, nghttp3_vec* vec,
                                      size_t count, std::uint32_t* flags, void* user, void*);

  bool SetUpHttp3();
  // Copies what the request's access-log line needs, when its listener logs.
  void CaptureForLog(Request& request);
  void HandleRequest(Request& request);
  void Answer(std::int64_t stream_id, unsigned status,
              std::vector<std::pair<std::string, std::string>> fields, std::string body);
  // Writes every packet ngtcp2 has to send, then arms the timer.
  void Flush();
  void ArmTimer();
  void OnTimer();
  // Sends CONNECTION_CLOSE (when there is something to say) and ends the connection.
  void Close(int liberr);
  void CloseWith(const ngtcp2_connection_close_error& error);
  // Marks the slot idle (reclaimable) when no request is in flight, busy otherwise.
  void UpdateSlot();
  void Finish();

  QuicEndpoint& endpoint_;
  boost::asio::io_context& io_;  // the listener's thread's (outlives every listener)
  std::shared_ptr<const ListenerSnapshot> snapshot_;
  boost::asio::ip::udp::endpoint local_;
  boost::asio::ip::udp::endpoint remote_;
  ngtcp2_sockaddr_union local_address_{};
  ngtcp2_sockaddr_union remote_address_{};
  GnutlsServerSession tls_state_;
  gnutls_session_t tls_ = nullptr;
  ngtcp2_conn* conn_ = nullptr;
  nghttp3_conn* h3_ = nullptr;
  boost::asio::steady_timer timer_;
  std::map<std::int64_t, std::unique_ptr<Request>> requests_;
  ngtcp2_cid original_dcid_{};
  ConnectionLimiter::Slot slot_;
  bool handshake_ended_ = false;
  // Why the handshake ended, should it end unfinished (the listener's counters).
  HandshakeFailure handshake_failure_ = HandshakeFailure::kProtocol;
  bool reading_ = false;  // inside ngtcp2_conn_read_pkt
  bool finished_ = false;
};

}  // namespace openalb
