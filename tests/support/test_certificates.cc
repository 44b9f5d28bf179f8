#include "support/test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace openalb::testing {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

std::string Drain(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

Key MakeKey(KeyKind kind) {
  EVP_PKEY* key = nullptr;
  switch (kind) {
    case KeyKind::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyKind::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyKind::kRsa1024:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
      break;
  }
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return Key(key);
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

GeneratedCert MakeCertificate(const CertSpec& spec, const GeneratedCert* issuer) {
  Key key = MakeKey(spec.key);
  Cert issuer_cert;
  Key issuer_key;
  if (issuer != nullptr) {
    Bio cert_bio(
        BIO_new_mem_buf(issuer->cert_pem.data(), static_cast<int>(issuer->cert_pem.size())));
    issuer_cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    Bio key_bio(BIO_new_mem_buf(issuer->key_pem.data(), static_cast<int>(issuer->key_pem.size())));
    issuer_key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  }
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.valid_from.count());
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.valid_until.count());
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer_cert = issuer_cert ? issuer_cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert));
  if (!spec.dns_names.empty()) {
    std::string sans;
    for (const auto& dns : spec.dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
    AddExtension(cert.get(), signer_cert, NID_subject_alt_name, sans);
  }
  if (spec.is_ca) {
    AddExtension(cert.get(), signer_cert, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (spec.usage == KeyUsage::kServer) {
    AddExtension(cert.get(), signer_cert, NID_ext_key_usage, "serverAuth");
  } else if (spec.usage == KeyUsage::kClientOnly) {
    AddExtension(cert.get(), signer_cert, NID_ext_key_usage, "clientAuth");
  }
  X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256());

  GeneratedCert out;
  Bio cert_out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_out.get(), cert.get());
  out.cert_pem = Drain(cert_out.get());
  Bio key_out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = Drain(key_out.get());
  return out;
}

std::string EncryptKeyPem(const std::string& key_pem, const std::string& passphrase) {
  Bio in(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  Key key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), passphrase.data(),
                                static_cast<int>(passphrase.size()), nullptr, nullptr);
  return Drain(out.get());
}

}  // namespace openalb::testing
