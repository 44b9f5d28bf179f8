// mint_certificates: writes N self-signed certificates, host-<i>.bench.test for i in 1..N,
// each as DIR/host-<i>.pem (certificate, then key — the form HAProxy's `crt <dir>` loads
// and openalb's upload takes apart). All share one key per run, so 10,000 RSA-2048
// certificates take seconds rather than the minutes 10,000 key generations would; a
// handshake costs the same either way.
//
// Usage: mint_certificates DIR N ecdsa|rsa
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

EVP_PKEY* MakeKey(const std::string& kind) {
  if (kind == "rsa") return EVP_RSA_gen(2048);
  return EVP_EC_gen("P-256");
}

bool AddSubjectAltName(X509* cert, const std::string& name) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::string value = "DNS:" + name;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool Mint(const std::string& path, const std::string& name, EVP_PKEY* key, long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 90L * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  bool ok = AddSubjectAltName(cert, name) && X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* out = ok ? std::fopen(path.c_str(), "w") : nullptr;
  ok = out != nullptr && PEM_write_X509(out, cert) == 1 &&
       PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (out != nullptr) std::fclose(out);
  X509_free(cert);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: mint_certificates DIR N ecdsa|rsa\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long count = std::atol(argv[2]);
  EVP_PKEY* key = MakeKey(argv[3]);
  if (key == nullptr) return 1;
  for (long i = 1; i <= count; ++i) {
    std::string name = "host-" + std::to_string(i) + ".bench.test";
    if (!Mint(dir + "/" + name + ".pem", name, key, i)) {
      std::fprintf(stderr, "cannot mint %s\n", name.c_str());
      return 1;
    }
  }
  EVP_PKEY_free(key);
  return 0;
}
