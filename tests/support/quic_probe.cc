// openalb_quic_probe: a small HTTP/3 client on the libraries the server uses (ngtcp2 0.12 with
// GnuTLS, nghttp3 0.8) that reports what a user cannot see from gtlsclient: which certificate
// the server presented (common name, key type, SHA-256 of the DER). The tests use it for the SNI
// cases and for connections held open across certificate changes; the benchmarks for HTTP/3
// handshakes per second and requests per second over one connection.
//
// Usage: openalb_quic_probe HOST PORT SNI [options]
//   --sigalgs ecdsa|rsa   offer only these signature algorithms (a client of one key type)
//   --get PATH            after the handshake, GET PATH (repeatable); one JSON line per answer
//   --stdin               after the handshake, answer each "GET /path" line read from stdin
//                         with a JSON line, on the same connection, until "QUIT" or EOF
//   --handshakes SECONDS  new connections one after another (each with the --get requests);
//                         prints "<connections> <seconds> <failures>"
//   --requests SECONDS    one connection, --concurrency streams of GET (first --get, or /)
//                         kept in flight; prints "<requests> <seconds> <failures>"
//   --concurrency N       streams in flight for --requests (default 10)
//   --expect-cn NAME      a handshake presenting another common name counts as a failure
//   --timeout MS          how long one handshake or request may take (default 3000)
//   --token HEX           send this token in the first Initial (a forged Retry token, say)
//   --session FILE        resume the TLS session saved in FILE, if any, and save the session
//                         ticket this connection gets there (single connection mode); with
//                         --handshakes, a handshake that does not resume counts as failed
// SIGTERM ends --handshakes and --requests early; they still print what they counted.
// A single connection prints {"handshake":true,"cn":…,"key":…,"sha256":…,"retried":…,
// "resumed":…} first (retried: the server asked for address validation by Retry; resumed: the
// TLS session was resumed from --session's ticket), or {"handshake":false,
// "error":…} and exits 1; a server's CONNECTION_CLOSE is reported with its error code.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netdb.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr size_t kMaxPacket = 1452;
constexpr const char* kBasePriority =
    "%DISABLE_TLS13_COMPAT_MODE:NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:"
    "+AES-256-GCM:+CHACHA20-POLY1305";
constexpr const char* kEcdsaOnly =
    ":-SIGN-ALL:+SIGN-ECDSA-SECP256R1-SHA256:+SIGN-ECDSA-SECP384R1-SHA384:"
    "+SIGN-ECDSA-SECP521R1-SHA512";
constexpr const char* kRsaOnly =
    ":-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-RSA-PSS-RSAE-SHA384:+SIGN-RSA-PSS-RSAE-SHA512";

struct Options {
  std::string host;
  std::string port;
  std::string sni;
  std::string sigalgs;
  std::vector<std::string> gets;
  bool from_stdin = false;
  double handshake_seconds = 0;
  double request_seconds = 0;
  int concurrency = 10;
  std::string expect_cn;
  int timeout_ms = 3000;
  std::vector<std::uint8_t> token;
  std::string session_file;
};

// Set by SIGTERM: the --handshakes and --requests loops stop and print what they counted.
volatile sig_atomic_t stopping = 0;

std::uint64_t Now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

struct Answer {
  int status = 0;
  std::string body;
  bool ended = false;   // the whole answer arrived
  bool closed = false;  // the stream is gone (with or without the answer)
};

// What the server presented, read off the finished handshake.
struct Presented {
  std::string cn;
  std::string key;
  std::string sha256;
};

// One QUIC connection, driven by Run() on this thread until a condition holds.
class Connection {
 public:
  explicit Connection(const Options& options) : options_(options) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (h3_ != nullptr) nghttp3_conn_del(h3_);
    if (conn_ != nullptr) ngtcp2_conn_del(conn_);
    if (tls_ != nullptr) gnutls_deinit(tls_);
    if (credentials_ != nullptr) gnutls_certificate_free_credentials(credentials_);
    if (fd_ >= 0) ::close(fd_);
  }

  const std::string& error() const { return error_; }
  bool retried() const { return retried_; }
  bool resumed() const { return gnutls_session_is_resumed(tls_) != 0; }

  // Waits up to `timeout_ms` for the server's session ticket, then saves the session to `path`.
  bool SaveSession(const std::string& path, int timeout_ms) {
    Run([&] { return ticket_received_; }, timeout_ms);
    gnutls_datum_t data{};
    if (!ticket_received_ || gnutls_session_get_data2(tls_, &data) < 0) return false;
    std::FILE* file = std::fopen(path.c_str(), "wb");
    const bool saved = file != nullptr && std::fwrite(data.data, 1, data.size, file) == data.size;
    if (file != nullptr) std::fclose(file);
    gnutls_free(data.data);
    return saved;
  }

  bool Handshake() {
    if (!Open()) return false;
    const bool done =
        Run([&] { return ngtcp2_conn_get_handshake_completed(conn_) != 0; }, options_.timeout_ms);
    if (!done && error_.empty()) error_ = "no handshake within the timeout";
    return done;
  }

  std::optional<Presented> Certificate() const {
    unsigned count = 0;
    const gnutls_datum_t* chain = gnutls_certificate_get_peers(tls_, &count);
    if (chain == nullptr || count == 0) return std::nullopt;
    Presented presented;
    gnutls_x509_crt_t certificate = nullptr;
    gnutls_x509_crt_init(&certificate);
    if (gnutls_x509_crt_import(certificate, &chain[0], GNUTLS_X509_FMT_DER) == 0) {
      std::array<char, 256> cn{};
      size_t size = cn.size();
      if (gnutls_x509_crt_get_dn_by_oid(certificate, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn.data(),
                                        &size) == 0) {
        presented.cn.assign(cn.data(), size);
      }
      const int algorithm = gnutls_x509_crt_get_pk_algorithm(certificate, nullptr);
      presented.key = algorithm == GNUTLS_PK_ECDSA ? "ECDSA"
                      : algorithm == GNUTLS_PK_RSA
                          ? "RSA"
                          : gnutls_pk_get_name(static_cast<gnutls_pk_algorithm_t>(algorithm));
    }
    gnutls_x509_crt_deinit(certificate);
    std::array<unsigned char, 32> digest{};
    gnutls_hash_fast(GNUTLS_DIG_SHA256, chain[0].data, chain[0].size, digest.data());
    for (const unsigned char byte : digest) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02x", byte);
      presented.sha256 += hex;
    }
    return presented;
  }

  // Opens a request stream for GET `path`; -1 when the server allows no more streams now.
  std::int64_t Submit(const std::string& path) {
    std::int64_t stream_id = -1;
    if (h3_ == nullptr || ngtcp2_conn_open_bidi_stream(conn_, &stream_id, nullptr) != 0) {
      return -1;
    }
    const std::string authority = options_.sni.empty() ? options_.host : options_.sni;
    auto field = [](std::string_view name, std::string_view value) {
      return nghttp3_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                        reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                        name.size(), value.size(), NGHTTP3_NV_FLAG_NONE};
    };
    const std::array<nghttp3_nv, 5> fields = {field(":method", "GET"), field(":scheme", "https"),
                                              field(":authority", authority), field(":path", path),
                                              field("user-agent", "openalb-quic-probe")};
    if (nghttp3_conn_submit_request(h3_, stream_id, fields.data(), fields.size(), nullptr,
                                    nullptr) != 0) {
      return -1;
    }
    answers_[stream_id] = Answer{};
    return stream_id;
  }

  // Whether the server lets another request stream open now.
  bool CanOpenStream() const {
    return h3_ != nullptr && ngtcp2_conn_get_streams_bidi_left(conn_) > 0;
  }

  // The finished answers, taken out of the connection.
  std::map<std::int64_t, Answer> TakeClosed() {
    std::map<std::int64_t, Answer> closed;
    for (auto it = answers_.begin(); it != answers_.end();) {
      if (it->second.closed) {
        closed.insert(*it);
        it = answers_.erase(it);
      } else {
        ++it;
      }
    }
    return closed;
  }

  bool Get(const std::string& path, Answer& answer) {
    const std::int64_t stream_id = Submit(path);
    if (stream_id < 0) return false;
    // The whole answer is what a user waits for (the stream's close waits on acknowledgements).
    Run([&] { return answers_[stream_id].ended || answers_[stream_id].closed; },
        options_.timeout_ms);
    answer = answers_[stream_id];
    answers_.erase(stream_id);
    return answer.ended;
  }

  // Drives the connection until `done` holds, the connection fails, or `timeout_ms` passes.
  // `extra_fd` (stdin) is polled too; `on_extra` reads it.
  bool Run(const std::function<bool()>& done, int timeout_ms, int extra_fd = -1,
           const std::function<void()>& on_extra = {}) {
    const std::uint64_t deadline = Now() + static_cast<std::uint64_t>(timeout_ms) * 1'000'000;
    for (;;) {
      if (!Write()) return false;
      if (done()) return true;
      const std::uint64_t now = Now();
      if (now >= deadline) return false;
      const std::uint64_t expiry = ngtcp2_conn_get_expiry(conn_);
      const std::uint64_t until = std::min(deadline, expiry);
      const int wait_ms = until > now ? static_cast<int>((until - now + 999'999) / 1'000'000) : 0;
      std::array<pollfd, 2> fds{{{fd_, POLLIN, 0}, {extra_fd, POLLIN, 0}}};
      const int ready = ::poll(fds.data(), extra_fd >= 0 ? 2 : 1, wait_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return Fail("poll failed");
      if ((fds[0].revents & POLLIN) != 0 && !ReadPackets()) return false;
      if (extra_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) on_extra();
      if (ngtcp2_conn_get_expiry(conn_) <= Now()) {
        const int rv = ngtcp2_conn_handle_expiry(conn_, Now());
        if (rv != 0) return Fail(std::string("connection ended: ") + ngtcp2_strerror(rv));
      }
    }
  }

  void Close() {
    if (conn_ == nullptr || ngtcp2_conn_is_in_closing_period(conn_) ||
        ngtcp2_conn_is_in_draining_period(conn_)) {
      return;
    }
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    ngtcp2_connection_close_error_set_application_error(&error, NGHTTP3_H3_NO_ERROR, nullptr, 0);
    std::array<std::uint8_t, kMaxPacket> buffer;
    ngtcp2_path_storage storage;
    ngtcp2_path_storage_zero(&storage);
    ngtcp2_pkt_info info{};
    const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(
        conn_, &storage.path, &info, buffer.data(), buffer.size(), &error, Now());
    if (n > 0) (void)::send(fd_, buffer.data(), static_cast<size_t>(n), 0);
  }

 private:
  bool Fail(std::string error) {
    if (error_.empty()) error_ = std::move(error);
    return false;
  }

  bool Open() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(options_.host.c_str(), options_.port.c_str(), &hints, &found) != 0) {
      return Fail("cannot resolve " + options_.host);
    }
    std::memcpy(&remote_, found->ai_addr, found->ai_addrlen);
    remote_length_ = found->ai_addrlen;
    fd_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const bool connected = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
    ::freeaddrinfo(found);
    if (!connected) return Fail("cannot open a UDP socket");
    local_length_ = sizeof local_;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &local_length_);

    ngtcp2_callbacks callbacks{};
    callbacks.client_initial = ngtcp2_crypto_client_initial_cb;
    callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    callbacks.encrypt = ngtcp2_crypto_encrypt_cb;
    callbacks.decrypt = ngtcp2_crypto_decrypt_cb;
    callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb;
    callbacks.recv_retry = [](ngtcp2_conn* conn, const ngtcp2_pkt_hd* header, void* user) {
      static_cast<Connection*>(user)->retried_ = true;
      return ngtcp2_crypto_recv_retry_cb(conn, header, user);
    };
    callbacks.update_key = ngtcp2_crypto_update_key_cb;
    callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    callbacks.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    callbacks.rand = [](std::uint8_t* dest, size_t size, const ngtcp2_rand_ctx*) {
      gnutls_rnd(GNUTLS_RND_RANDOM, dest, size);
    };
    callbacks.get_new_connection_id = [](ngtcp2_conn*, ngtcp2_cid* cid, std::uint8_t* token,
                                         size_t length, void*) {
      gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, length);
      cid->datalen = length;
      gnutls_rnd(GNUTLS_RND_RANDOM, token, NGTCP2_STATELESS_RESET_TOKENLEN);
      return 0;
    };
    callbacks.handshake_completed = [](ngtcp2_conn*, void* user) {
      return static_cast<Connection*>(user)->SetUpHttp3() ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
    };
    callbacks.recv_stream_data = [](ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id,
                                    std::uint64_t, const std::uint8_t* data, size_t size,
                                    void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      if (self->h3_ == nullptr) return NGTCP2_ERR_CALLBACK_FAILURE;
      const nghttp3_ssize consumed = nghttp3_conn_read_stream(
          self->h3_, stream_id, data, size, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0 ? 1 : 0);
      if (consumed < 0) return NGTCP2_ERR_CALLBACK_FAILURE;
      ngtcp2_conn_extend_max_stream_offset(conn, stream_id, static_cast<std::uint64_t>(consumed));
      ngtcp2_conn_extend_max_offset(conn, static_cast<std::uint64_t>(consumed));
      return 0;
    };
    callbacks.acked_stream_data_offset = [](ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                            std::uint64_t size, void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      return self->h3_ != nullptr && nghttp3_conn_add_ack_offset(self->h3_, stream_id, size) != 0
                 ? NGTCP2_ERR_CALLBACK_FAILURE
                 : 0;
    };
    callbacks.stream_close = [](ngtcp2_conn*, std::uint32_t flags, std::int64_t stream_id,
                                std::uint64_t app_error, void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      if ((flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) == 0) {
        app_error = NGHTTP3_H3_NO_ERROR;
      }
      if (self->h3_ != nullptr) nghttp3_conn_close_stream(self->h3_, stream_id, app_error);
      auto it = self->answers_.find(stream_id);
      if (it != self->answers_.end()) it->second.closed = true;
      return 0;
    };
    callbacks.stream_reset = [](ngtcp2_conn*, std::int64_t stream_id, std::uint64_t, std::uint64_t,
                                void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      if (self->h3_ != nullptr) nghttp3_conn_shutdown_stream_read(self->h3_, stream_id);
      return 0;
    };
    callbacks.extend_max_stream_data = [](ngtcp2_conn*, std::int64_t stream_id, std::uint64_t,
                                          void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      if (self->h3_ != nullptr) nghttp3_conn_unblock_stream(self->h3_, stream_id);
      return 0;
    };

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = Now();
    settings.max_tx_udp_payload_size = kMaxPacket;
    if (!options_.token.empty()) {
      settings.token = {const_cast<std::uint8_t*>(options_.token.data()), options_.token.size()};
    }
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_uni = 3;
    params.initial_max_stream_data_bidi_local = 1024 * 1024;
    params.initial_max_stream_data_uni = 1024 * 1024;
    params.initial_max_data = 16 * 1024 * 1024;
    params.max_idle_timeout = 30ull * NGTCP2_SECONDS;

    ngtcp2_cid dcid;
    ngtcp2_cid scid;
    dcid.datalen = 18;
    scid.datalen = 17;
    gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
    gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
    const ngtcp2_path path{
        {reinterpret_cast<ngtcp2_sockaddr*>(&local_), static_cast<ngtcp2_socklen>(local_length_)},
        {reinterpret_cast<ngtcp2_sockaddr*>(&remote_), static_cast<ngtcp2_socklen>(remote_length_)},
        nullptr};
    if (ngtcp2_conn_client_new(&conn_, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &callbacks,
                               &settings, &params, nullptr, this) != 0) {
      return Fail("ngtcp2_conn_client_new failed");
    }

    std::string priority = kBasePriority;
    if (options_.sigalgs == "ecdsa") priority += kEcdsaOnly;
    if (options_.sigalgs == "rsa") priority += kRsaOnly;
    const std::string_view alpn_name = "h3";
    const gnutls_datum_t alpn{reinterpret_cast<unsigned char*>(const_cast<char*>(alpn_name.data())),
                              static_cast<unsigned>(alpn_name.size())};
    if (gnutls_init(&tls_, GNUTLS_CLIENT) < 0 ||
        gnutls_priority_set_direct(tls_, priority.c_str(), nullptr) < 0 ||
        ngtcp2_crypto_gnutls_configure_client_session(tls_) != 0 ||
        gnutls_certificate_allocate_credentials(&credentials_) < 0 ||
        gnutls_credentials_set(tls_, GNUTLS_CRD_CERTIFICATE, credentials_) < 0 ||
        gnutls_alpn_set_protocols(tls_, &alpn, 1, GNUTLS_ALPN_MANDATORY) < 0) {
      return Fail("GnuTLS set-up failed");
    }
    if (!options_.sni.empty()) {
      gnutls_server_name_set(tls_, GNUTLS_NAME_DNS, options_.sni.data(), options_.sni.size());
    }
    conn_ref_.get_conn = [](ngtcp2_crypto_conn_ref* ref) {
      return static_cast<Connection*>(ref->user_data)->conn_;
    };
    conn_ref_.user_data = this;
    gnutls_session_set_ptr(tls_, &conn_ref_);
    if (!options_.session_file.empty()) {
      std::FILE* file = std::fopen(options_.session_file.c_str(), "rb");
      if (file != nullptr) {
        std::vector<unsigned char> saved(65536);
        saved.resize(std::fread(saved.data(), 1, saved.size(), file));
        std::fclose(file);
        if (!saved.empty()) gnutls_session_set_data(tls_, saved.data(), saved.size());
      }
      gnutls_handshake_set_hook_function(
          tls_, GNUTLS_HANDSHAKE_NEW_SESSION_TICKET, GNUTLS_HOOK_POST,
          [](gnutls_session_t session, unsigned, unsigned, unsigned, const gnutls_datum_t*) {
            auto* ref = static_cast<ngtcp2_crypto_conn_ref*>(gnutls_session_get_ptr(session));
            static_cast<Connection*>(ref->user_data)->ticket_received_ = true;
            return 0;
          });
    }
    ngtcp2_conn_set_tls_native_handle(conn_, tls_);
    return true;
  }

  bool SetUpHttp3() {
    nghttp3_callbacks callbacks{};
    callbacks.recv_header = [](nghttp3_conn*, std::int64_t stream_id, std::int32_t,
                               nghttp3_rcbuf* name, nghttp3_rcbuf* value, std::uint8_t, void* user,
                               void*) {
      auto* self = static_cast<Connection*>(user);
      const nghttp3_vec n = nghttp3_rcbuf_get_buf(name);
      const nghttp3_vec v = nghttp3_rcbuf_get_buf(value);
      if (std::string_view(reinterpret_cast<const char*>(n.base), n.len) == ":status") {
        self->answers_[stream_id].status =
            std::atoi(std::string(reinterpret_cast<const char*>(v.base), v.len).c_str());
      }
      return 0;
    };
    callbacks.recv_data = [](nghttp3_conn*, std::int64_t stream_id, const std::uint8_t* data,
                             size_t size, void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      ngtcp2_conn_extend_max_stream_offset(self->conn_, stream_id, size);
      ngtcp2_conn_extend_max_offset(self->conn_, size);
      self->answers_[stream_id].body.append(reinterpret_cast<const char*>(data), size);
      return 0;
    };
    callbacks.deferred_consume = [](nghttp3_conn*, std::int64_t stream_id, size_t consumed,
                                    void* user, void*) {
      auto* self = static_cast<Connection*>(user);
      ngtcp2_conn_extend_max_stream_offset(self->conn_, stream_id, consumed);
      ngtcp2_conn_extend_max_offset(self->conn_, consumed);
      return 0;
    };
    callbacks.end_stream = [](nghttp3_conn*, std::int64_t stream_id, void* user, void*) {
      static_cast<Connection*>(user)->answers_[stream_id].ended = true;
      return 0;
    };
    callbacks.reset_stream = [](nghttp3_conn*, std::int64_t stream_id, std::uint64_t app_error,
                                void* user, void*) {
      ngtcp2_conn_shutdown_stream_write(static_cast<Connection*>(user)->conn_, stream_id,
                                        app_error);
      return 0;
    };
    nghttp3_settings settings;
    nghttp3_settings_default(&settings);
    if (nghttp3_conn_client_new(&h3_, &callbacks, &settings, nghttp3_mem_default(), this) != 0) {
      return false;
    }
    std::int64_t control = 0, encoder = 0, decoder = 0;
    return ngtcp2_conn_open_uni_stream(conn_, &control, nullptr) == 0 &&
           nghttp3_conn_bind_control_stream(h3_, control) == 0 &&
           ngtcp2_conn_open_uni_stream(conn_, &encoder, nullptr) == 0 &&
           ngtcp2_conn_open_uni_stream(conn_, &decoder, nullptr) == 0 &&
           nghttp3_conn_bind_qpack_streams(h3_, encoder, decoder) == 0;
  }

  bool ReadPackets() {
    std::array<std::uint8_t, 65536> buffer;
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || Fail("recv failed");
      const ngtcp2_path path{
          {reinterpret_cast<ngtcp2_sockaddr*>(&local_), static_cast<ngtcp2_socklen>(local_length_)},
          {reinterpret_cast<ngtcp2_sockaddr*>(&remote_),
           static_cast<ngtcp2_socklen>(remote_length_)},
          nullptr};
      ngtcp2_pkt_info info{};
      const int rv =
          ngtcp2_conn_read_pkt(conn_, &path, &info, buffer.data(), static_cast<size_t>(n), Now());
      if (rv == NGTCP2_ERR_DRAINING) {  // the server closed the connection: say with what
        ngtcp2_connection_close_error error;
        ngtcp2_conn_get_connection_close_error(conn_, &error);
        char code[64];
        std::snprintf(code, sizeof code, "closed by the server: %s error 0x%llx",
                      error.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION
                          ? "application"
                          : "transport",
                      static_cast<unsigned long long>(error.error_code));
        return Fail(code);
      }
      if (rv != 0) {
        const char* alert = rv == NGTCP2_ERR_CRYPTO
                                ? gnutls_alert_get_name(static_cast<gnutls_alert_description_t>(
                                      ngtcp2_conn_get_tls_alert(conn_)))
                                : nullptr;
        return Fail(std::string(ngtcp2_strerror(rv)) + (alert != nullptr ? ": " : "") +
                    (alert != nullptr ? alert : ""));
      }
    }
  }

  bool Write() {
    std::array<std::uint8_t, kMaxPacket> buffer;
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
        if (count < 0) return Fail("nghttp3_conn_writev_stream failed");
      }
      ngtcp2_ssize written = -1;
      std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
      if (fin != 0) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
      const ngtcp2_ssize n = ngtcp2_conn_writev_stream(
          conn_, &storage.path, &info, buffer.data(), buffer.size(), &written, flags, stream_id,
          reinterpret_cast<const ngtcp2_vec*>(vec.data()), static_cast<size_t>(count), Now());
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
          nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(written));
          continue;
        }
        return Fail(std::string("write failed: ") + ngtcp2_strerror(static_cast<int>(n)));
      }
      if (written >= 0 && h3_ != nullptr) {
        nghttp3_conn_add_write_offset(h3_, stream_id, static_cast<size_t>(written));
      }
      if (n == 0) return true;
      (void)::send(fd_, buffer.data(), static_cast<size_t>(n), 0);
    }
  }

  const Options& options_;
  int fd_ = -1;
  sockaddr_storage local_{};
  socklen_t local_length_ = 0;
  sockaddr_storage remote_{};
  socklen_t remote_length_ = 0;
  ngtcp2_crypto_conn_ref conn_ref_{};
  ngtcp2_conn* conn_ = nullptr;
  gnutls_session_t tls_ = nullptr;
  gnutls_certificate_credentials_t credentials_ = nullptr;
  nghttp3_conn* h3_ = nullptr;
  std::map<std::int64_t, Answer> answers_;
  std::string error_;
  bool retried_ = false;
  bool ticket_received_ = false;
};

void PrintAnswer(const std::string& path, const Answer& answer) {
  std::printf("{\"path\":%s,\"status\":%d,\"complete\":%s,\"body\":%s}\n", JsonString(path).c_str(),
              answer.status, answer.ended ? "true" : "false", JsonString(answer.body).c_str());
  std::fflush(stdout);
}

bool PresentedAsExpected(const Options& options, Connection& connection) {
  if (options.expect_cn.empty()) return true;
  const auto presented = connection.Certificate();
  return presented && presented->cn == options.expect_cn;
}

// One connection; prints what was presented and each answer. Exit status 0 when everything
// asked for was answered.
int Single(const Options& options) {
  Connection connection(options);
  if (!connection.Handshake()) {
    std::printf("{\"handshake\":false,\"error\":%s}\n", JsonString(connection.error()).c_str());
    return 1;
  }
  const auto presented = connection.Certificate().value_or(Presented{});
  std::printf(
      "{\"handshake\":true,\"cn\":%s,\"key\":%s,\"sha256\":%s,\"retried\":%s,\"resumed\":%s}\n",
      JsonString(presented.cn).c_str(), JsonString(presented.key).c_str(),
      JsonString(presented.sha256).c_str(), connection.retried() ? "true" : "false",
      connection.resumed() ? "true" : "false");
  std::fflush(stdout);
  bool ok = true;
  for (const auto& path : options.gets) {
    Answer answer;
    ok = connection.Get(path, answer) && ok;
    PrintAnswer(path, answer);
  }
  if (options.from_stdin) {
    bool quit = false;
    std::string pending;
    auto on_input = [&] {
      std::array<char, 4096> chunk;
      const ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
      if (n <= 0) {
        quit = true;
        return;
      }
      pending.append(chunk.data(), static_cast<size_t>(n));
    };
    while (!quit) {
      const bool running =
          connection.Run([&] { return quit || pending.find('\n') != std::string::npos; }, 3'600'000,
                         STDIN_FILENO, on_input);
      if (!running) {
        std::printf("{\"closed\":true,\"error\":%s}\n", JsonString(connection.error()).c_str());
        return 1;
      }
      size_t end;
      while ((end = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, end);
        pending.erase(0, end + 1);
        if (line == "QUIT") quit = true;
        if (line.rfind("GET ", 0) != 0) continue;
        Answer answer;
        ok = connection.Get(line.substr(4), answer) && ok;
        PrintAnswer(line.substr(4), answer);
      }
    }
  }
  if (!options.session_file.empty() && !connection.SaveSession(options.session_file, 1000)) {
    std::fprintf(stderr, "no session ticket to save\n");
    ok = false;
  }
  connection.Close();
  return ok && PresentedAsExpected(options, connection) ? 0 : 1;
}

// New connections one after another for `handshake_seconds`.
int Handshakes(const Options& options) {
  long done = 0;
  long failed = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(options.handshake_seconds);
  while (std::chrono::steady_clock::now() < end && stopping == 0) {
    Connection connection(options);
    // With --session, every handshake must resume from the saved ticket.
    bool ok = connection.Handshake() && PresentedAsExpected(options, connection) &&
              (options.session_file.empty() || connection.resumed());
    for (const auto& path : options.gets) {
      Answer answer;
      ok = ok && connection.Get(path, answer) && answer.status == 200;
    }
    connection.Close();
    if (ok) {
      ++done;
    } else {
      ++failed;
      std::fprintf(stderr, "failed: %s\n", connection.error().c_str());
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld %.3f %ld\n", done, elapsed, failed);
  return 0;
}

// `concurrency` GETs kept in flight on one connection for `request_seconds`.
int Requests(const Options& options) {
  Connection connection(options);
  if (!connection.Handshake()) {
    std::fprintf(stderr, "handshake failed: %s\n", connection.error().c_str());
    std::printf("0 0 1\n");
    return 1;
  }
  const std::string path = options.gets.empty() ? "/" : options.gets.front();
  long done = 0;
  long failed = 0;
  int in_flight = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(options.request_seconds);
  bool sending = true;
  while (sending || in_flight > 0) {
    sending = std::chrono::steady_clock::now() < end && stopping == 0;
    if (!sending && in_flight == 0) break;
    while (sending && in_flight < options.concurrency && connection.Submit(path) >= 0) ++in_flight;
    const bool alive = connection.Run(
        [&] {
          const auto closed = connection.TakeClosed();
          for (const auto& [id, answer] : closed) {
            --in_flight;
            if (answer.ended && answer.status == 200) {
              ++done;
            } else {
              if (failed++ == 0) {
                std::fprintf(stderr, "first failure: status %d, %s, %zu body bytes\n",
                             answer.status, answer.ended ? "complete" : "incomplete",
                             answer.body.size());
              }
            }
          }
          // Done waiting once a stream ended, or when a stream can be opened that could not.
          return !closed.empty() ||
                 (sending && in_flight < options.concurrency && connection.CanOpenStream());
        },
        options.timeout_ms);
    if (!alive) {
      failed += in_flight;
      std::fprintf(stderr, "connection failed: %s\n", connection.error().c_str());
      break;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  connection.Close();
  std::printf("%ld %.3f %ld\n", done, elapsed, failed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: openalb_quic_probe HOST PORT SNI [options]\n");
    return 2;
  }
  Options options;
  options.host = argv[1];
  options.port = argv[2];
  options.sni = argv[3];
  for (int i = 4; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--stdin") {
      options.from_stdin = true;
    } else if (!has_value) {
      std::fprintf(stderr, "%s needs a value\n", flag.c_str());
      return 2;
    } else if (flag == "--sigalgs") {
      options.sigalgs = argv[++i];
    } else if (flag == "--get") {
      options.gets.emplace_back(argv[++i]);
    } else if (flag == "--handshakes") {
      options.handshake_seconds = std::atof(argv[++i]);
    } else if (flag == "--requests") {
      options.request_seconds = std::atof(argv[++i]);
    } else if (flag == "--concurrency") {
      options.concurrency = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--expect-cn") {
      options.expect_cn = argv[++i];
    } else if (flag == "--timeout") {
      options.timeout_ms = std::atoi(argv[++i]);
    } else if (flag == "--session") {
      options.session_file = argv[++i];
    } else if (flag == "--token") {
      const std::string hex = argv[++i];
      for (size_t k = 0; k + 1 < hex.size(); k += 2) {
        options.token.push_back(
            static_cast<std::uint8_t>(std::stoi(hex.substr(k, 2), nullptr, 16)));
      }
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (options.handshake_seconds <= 0 && options.request_seconds <= 0) return Single(options);
  struct sigaction on_term {};
  on_term.sa_handler = [](int) { stopping = 1; };
  sigaction(SIGTERM, &on_term, nullptr);
  return options.handshake_seconds > 0 ? Handshakes(options) : Requests(options);
}
