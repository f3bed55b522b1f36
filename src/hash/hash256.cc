#include "hash/hash256.h"

#include <array>

namespace needle::hash {

std::string Hash256::ToHex() const {
  static const char kHex[] = "0123456789abcdef";
  std::string s(64, '0');
  for (int q = 3, pos = 0; q >= 0; --q)
    for (int shift = 60; shift >= 0; shift -= 4) s[pos++] = kHex[(limb[q] >> shift) & 15];
  return s;
}

namespace {

// Nibble value of every byte, 0xff where it is no hex digit. A table rather
// than branches: digits and letters come in random order, so the branches
// mispredicted; at 10M stored hashes parsing was 40% of a warm `needle
// lookup` start-up (2.3 of 5.9 s).
constexpr auto kNibble = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = 0; c < 10; ++c) t[size_t('0' + c)] = uint8_t(c);
  for (int c = 0; c < 6; ++c) t[size_t('a' + c)] = t[size_t('A' + c)] = uint8_t(10 + c);
  return t;
}();

}  // namespace

std::optional<Hash256> Hash256::FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash256 h;
  uint8_t bad = 0;  // any invalid digit sets the high bit
  for (int q = 0; q < 4; ++q) {
    const char* p = hex.data() + (3 - q) * 16;  // the first 16 digits are limb 3
    uint64_t v = 0;
    for (int i = 0; i < 16; ++i) {
      const uint8_t d = kNibble[static_cast<unsigned char>(p[i])];
      bad |= d;
      v = v << 4 | (d & 15);
    }
    h.limb[q] = v;
  }
  if (bad & 0x80) return std::nullopt;
  return h;
}

}  // namespace needle::hash
