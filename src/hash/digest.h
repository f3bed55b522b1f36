// Cryptographic digests of evidence bytes: MD5, SHA-1 and SHA-256 in one pass.
//
// The three are what hash lists exchange (VICS, NCMEC, ICSE carry MD5 and
// SHA-1; case records carry SHA-256). Feed the same bytes once; Finish() gives
// lowercase hex. Not thread-safe; one instance per file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace needle::hash {

struct Digests {
  std::string md5;     // 32 hex chars
  std::string sha1;    // 40 hex chars
  std::string sha256;  // 64 hex chars
};

class MultiDigest {
 public:
  MultiDigest();
  ~MultiDigest();
  MultiDigest(const MultiDigest&) = delete;
  MultiDigest& operator=(const MultiDigest&) = delete;

  void Update(const uint8_t* data, size_t n);
  Digests Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience for whole buffers (tests, HTTP uploads).
Digests DigestBytes(const uint8_t* data, size_t n);

// SHA-256 alone, lowercase hex: what a bearer token is checked by on every
// request, without the MD5 and SHA-1 contexts DigestBytes sets up.
std::string Sha256Hex(const uint8_t* data, size_t n);

// Lowercase hex of raw bytes.
std::string ToHex(const uint8_t* data, size_t n);

}  // namespace needle::hash
