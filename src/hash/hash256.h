// A 256-bit perceptual hash (PDQ) and its text form.
//
// Layout follows the PDQ reference: 16 words of 16 bits, bit k = 16*i + j is
// DCT coefficient (row i, column j), stored as bit j of word i. Here four
// 64-bit limbs hold words 4q..4q+3 (word 4q in the low 16 bits), so the hex
// text (word 15 first) is limb 3, 2, 1, 0, each as 16 hex digits, and
// Hamming distance is four popcounts.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace needle::hash {

struct Hash256 {
  std::array<uint64_t, 4> limb{};

  bool Bit(int k) const { return (limb[k >> 6] >> (k & 63)) & 1; }
  void SetBit(int k) { limb[k >> 6] |= uint64_t{1} << (k & 63); }

  // 64 lowercase hex characters, as every PDQ tool prints them.
  std::string ToHex() const;
  // Exactly 64 hex characters (either case); nullopt otherwise.
  static std::optional<Hash256> FromHex(std::string_view hex);

  friend bool operator==(const Hash256&, const Hash256&) = default;
  friend auto operator<=>(const Hash256&, const Hash256&) = default;
};

inline int Distance(const Hash256& a, const Hash256& b) {
  return std::popcount(a.limb[0] ^ b.limb[0]) + std::popcount(a.limb[1] ^ b.limb[1]) +
         std::popcount(a.limb[2] ^ b.limb[2]) + std::popcount(a.limb[3] ^ b.limb[3]);
}

}  // namespace needle::hash
