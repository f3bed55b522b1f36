#include "hash/digest.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace needle::hash {
namespace {

TEST(DigestTest, KnownAnswers) {
  // FIPS 180 / RFC 1321 test vectors for "abc".
  const std::string abc = "abc";
  Digests d = DigestBytes(reinterpret_cast<const uint8_t*>(abc.data()), abc.size());
  EXPECT_EQ(d.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Digests e = DigestBytes(nullptr, 0);
  EXPECT_EQ(e.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(e.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // SHA-256 alone gives the same answers.
  EXPECT_EQ(Sha256Hex(reinterpret_cast<const uint8_t*>(abc.data()), abc.size()), d.sha256);
  EXPECT_EQ(Sha256Hex(nullptr, 0), e.sha256);
  std::mt19937 rng(3);
  for (size_t n : {1u, 55u, 56u, 64u, 1000u}) {
    std::vector<uint8_t> data(n);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    EXPECT_EQ(Sha256Hex(data.data(), n), DigestBytes(data.data(), n).sha256) << n;
  }
}

TEST(DigestTest, StreamingEqualsOneShotForAnySplit) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(100000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  Digests whole = DigestBytes(data.data(), data.size());
  for (size_t chunk : {1u, 7u, 4096u, 65537u}) {
    MultiDigest m;
    for (size_t off = 0; off < data.size(); off += chunk) m.Update(data.data() + off, std::min(chunk, data.size() - off));
    Digests s = m.Finish();
    EXPECT_EQ(s.md5, whole.md5) << chunk;
    EXPECT_EQ(s.sha1, whole.sha1) << chunk;
    EXPECT_EQ(s.sha256, whole.sha256) << chunk;
  }
}

}  // namespace
}  // namespace needle::hash
