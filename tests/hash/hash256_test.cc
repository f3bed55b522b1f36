#include "hash/hash256.h"

#include <gtest/gtest.h>

#include <random>

namespace needle::hash {
namespace {

TEST(Hash256Test, HexRoundTripAndBitLayout) {
  // pdq.md §1: the last hex char holds row 0, columns 0-3 (column 0 = LSB).
  Hash256 h;
  h.SetBit(0);
  EXPECT_EQ(h.ToHex(), std::string(63, '0') + "1");
  Hash256 top;
  top.SetBit(255);  // row 15, column 15: the first hex char's high bit
  EXPECT_EQ(top.ToHex(), "8" + std::string(63, '0'));
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) {
    Hash256 r;
    for (auto& l : r.limb) l = rng();
    auto back = Hash256::FromHex(r.ToHex());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
  }
}

TEST(Hash256Test, RejectsMalformedText) {
  EXPECT_FALSE(Hash256::FromHex("").has_value());
  EXPECT_FALSE(Hash256::FromHex(std::string(63, 'a')).has_value());
  EXPECT_FALSE(Hash256::FromHex(std::string(65, 'a')).has_value());
  EXPECT_FALSE(Hash256::FromHex(std::string(63, 'a') + "g").has_value());
  EXPECT_TRUE(Hash256::FromHex(std::string(64, 'A')).has_value());
}

// Every byte value at every position, against a reading of the text one
// digit at a time: accepted exactly when it is a hex digit (either case),
// and then with its value in the right nibble.
TEST(Hash256Test, ParsesEveryByteAtEveryPositionLikeAReference) {
  auto nibble = [](int c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (int pos = 0; pos < 64; ++pos)
    for (int c = 0; c < 256; ++c) {
      std::string text(64, '0');
      text[size_t(pos)] = static_cast<char>(c);
      auto h = Hash256::FromHex(text);
      const int v = nibble(c);
      ASSERT_EQ(h.has_value(), v >= 0) << "byte " << c << " at " << pos;
      if (v < 0) continue;
      Hash256 want;
      for (int b = 0; b < 4; ++b)
        if (v >> b & 1) want.SetBit(4 * (63 - pos) + b);  // the last digit holds bits 0-3
      EXPECT_EQ(*h, want) << "byte " << c << " at " << pos;
    }
}

TEST(Hash256Test, DistanceIsPopcountOfXor) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 100; ++i) {
    Hash256 a, b;
    for (auto& l : a.limb) l = rng();
    for (auto& l : b.limb) l = rng();
    int naive = 0;
    for (int k = 0; k < 256; ++k) naive += a.Bit(k) != b.Bit(k);
    EXPECT_EQ(Distance(a, b), naive);
    EXPECT_EQ(Distance(a, a), 0);
  }
}

}  // namespace
}  // namespace needle::hash
