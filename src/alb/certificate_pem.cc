#include "alb/certificate_pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>

#include "core/ascii_case.h"
#include "core/common_errors.h"
#include "core/crypto.h"

namespace openalb {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

constexpr size_t kMaxChainLength = 10;

ApiError BadCert(std::string_view why) { return errors::InvalidParameter("Cert", why); }
ApiError BadKey(std::string_view why) { return errors::InvalidParameter("Key", why); }

Bio ReadOnlyBio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses to prompt for a passphrase: an encrypted key simply fails to load.
int NoPassphrase(char*, int, int, void*) { return -1; }

// Certificate times run to 9999-12-31 (RFC 5280's "no expiry"); a nanosecond clock ends in
// 2262, so they are clamped into 1900–2199 (found by fuzzing: converting year
// 2526 overflowed). An unreadable time reads as the earliest.
std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* time) {
  constexpr std::time_t kEarliest = -2208988800;  // 1900-01-01T00:00:00Z
  constexpr std::time_t kLatest = 7258118399;     // 2199-12-31T23:59:59Z
  std::tm tm{};
  std::time_t seconds = kEarliest;
  if (ASN1_TIME_to_tm(time, &tm) == 1) seconds = std::clamp(timegm(&tm), kEarliest, kLatest);
  return std::chrono::system_clock::from_time_t(seconds);
}

std::string ToPem(X509* cert) {
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert);
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string ToPkcs8Pem(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string CommonNameOf(X509_NAME* name) {
  std::string out;
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) out.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

void ReadNames(X509* leaf, ValidatedCertificate& out) {
  out.common_name = CommonNameOf(X509_get_subject_name(leaf));
  out.issuer = CommonNameOf(X509_get_issuer_name(leaf));
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    out.dns_names.push_back(
        AsciiLower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                               static_cast<size_t>(ASN1_STRING_length(dns)))));
  }
  GENERAL_NAMES_free(names);
}

}  // namespace

Result<ValidatedCertificate> ValidateCertificatePem(std::string_view chain_pem,
                                                    std::string_view key_pem,
                                                    std::chrono::system_clock::time_point now) {
  if (chain_pem.empty()) return Fail(errors::MissingParameter("Cert"));
  if (key_pem.empty()) return Fail(errors::MissingParameter("Key"));
  if (chain_pem.size() > kMaxCertificatePemBytes) return Fail(BadCert("larger than 64 KiB"));
  if (key_pem.size() > kMaxPrivateKeyPemBytes) return Fail(BadKey("larger than 16 KiB"));

  std::vector<X509Ptr> chain;
  Bio chain_bio = ReadOnlyBio(chain_pem);
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(chain_bio.get(), nullptr, NoPassphrase, nullptr));
    if (!cert) break;
    if (chain.size() == kMaxChainLength) return Fail(BadCert("more than 10 certificates"));
    chain.push_back(std::move(cert));
  }
  ERR_clear_error();
  if (chain.empty()) return Fail(BadCert("no PEM certificate could be read"));
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    // Names and key identifiers must link, and the issuer's key must verify the signature.
    EVP_PKEY* issuer_key = X509_get0_pubkey(chain[i + 1].get());
    if (X509_check_issued(chain[i + 1].get(), chain[i].get()) != X509_V_OK ||
        issuer_key == nullptr || X509_verify(chain[i].get(), issuer_key) != 1) {
      ERR_clear_error();
      return Fail(BadCert("certificate " + std::to_string(i + 2) + " of the chain did not issue " +
                          "certificate " + std::to_string(i + 1) + "; list the leaf first, then " +
                          "each issuer"));
    }
  }
  X509* leaf = chain.front().get();

  Bio key_bio = ReadOnlyBio(key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!key) return Fail(BadKey("no unencrypted PEM private key could be read"));
  if (X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return Fail(BadKey("the private key does not match the certificate"));
  }

  ValidatedCertificate out;
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA:
      out.key_type = CertificateKeyType::kRsa;
      break;
    case EVP_PKEY_EC:
      out.key_type = CertificateKeyType::kEcdsa;
      break;
    default:
      return Fail(BadKey("only RSA and ECDSA keys are supported"));
  }
  out.key_bits = EVP_PKEY_get_bits(key.get());
  if (out.key_type == CertificateKeyType::kRsa && out.key_bits < 2048) {
    return Fail(BadKey("an RSA key needs at least 2048 bits"));
  }

  out.not_before = ToTimePoint(X509_get0_notBefore(leaf));
  out.not_after = ToTimePoint(X509_get0_notAfter(leaf));
  if (out.not_after <= now) return Fail(BadCert("the certificate has expired"));

  out.is_ca = X509_check_ca(leaf) > 0;
  if (!out.is_ca && (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
      (X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) == 0) {
    return Fail(BadCert("the certificate is neither a server certificate nor a CA"));
  }
  ReadNames(leaf, out);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  X509_digest(leaf, EVP_sha256(), digest, &digest_len);
  out.fingerprint_sha256 = HexLower(std::string_view(reinterpret_cast<char*>(digest), digest_len));
  for (auto& cert : chain) out.chain_pem += ToPem(cert.get());
  out.private_key_pem = ToPkcs8Pem(key.get());
  return out;
}

}  // namespace openalb
