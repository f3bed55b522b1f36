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
