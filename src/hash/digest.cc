#include "hash/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace needle::hash {

struct MultiDigest::Impl {
  EVP_MD_CTX* md5 = nullptr;
  EVP_MD_CTX* sha1 = nullptr;
  EVP_MD_CTX* sha256 = nullptr;
};

namespace {
EVP_MD_CTX* NewCtx(const EVP_MD* md) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // Allocation failure here is not recoverable per file; treat as fatal.
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) throw std::bad_alloc();
  return ctx;
}

std::string FinalHex(EVP_MD_CTX* ctx) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  return ToHex(out, len);
}
}  // namespace

MultiDigest::MultiDigest() : impl_(std::make_unique<Impl>()) {
  impl_->md5 = NewCtx(EVP_md5());
  impl_->sha1 = NewCtx(EVP_sha1());
  impl_->sha256 = NewCtx(EVP_sha256());
}

MultiDigest::~MultiDigest() {
  EVP_MD_CTX_free(impl_->md5);
  EVP_MD_CTX_free(impl_->sha1);
  EVP_MD_CTX_free(impl_->sha256);
}

void MultiDigest::Update(const uint8_t* data, size_t n) {
  EVP_DigestUpdate(impl_->md5, data, n);
  EVP_DigestUpdate(impl_->sha1, data, n);
  EVP_DigestUpdate(impl_->sha256, data, n);
}

Digests MultiDigest::Finish() {
  return Digests{FinalHex(impl_->md5), FinalHex(impl_->sha1), FinalHex(impl_->sha256)};
}

Digests DigestBytes(const uint8_t* data, size_t n) {
  MultiDigest d;
  d.Update(data, n);
  return d.Finish();
}

std::string Sha256Hex(const uint8_t* data, size_t n) {
  // Fetched once: OpenSSL 3 otherwise looks the algorithm up on every call.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (sha256 == nullptr || EVP_Digest(data, n, out, &len, sha256, nullptr) != 1) throw std::bad_alloc();
  return ToHex(out, len);
}

std::string ToHex(const uint8_t* data, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[data[i] >> 4];
    s[2 * i + 1] = kHex[data[i] & 15];
  }
  return s;
}

}  // namespace needle::hash
