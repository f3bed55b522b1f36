#include "hash/hash256.h"

namespace needle::hash {

std::string Hash256::ToHex() const {
  static const char kHex[] = "0123456789abcdef";
  std::string s(64, '0');
  for (int q = 3, pos = 0; q >= 0; --q)
    for (int shift = 60; shift >= 0; shift -= 4) s[pos++] = kHex[(limb[q] >> shift) & 15];
  return s;
}

std::optional<Hash256> Hash256::FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash256 h;
  for (int i = 0; i < 64; ++i) {
    char c = hex[i];
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return std::nullopt;
    int q = 3 - i / 16;
    h.limb[q] = (h.limb[q] << 4) | uint64_t(v);
  }
  return h;
}

}  // namespace needle::hash
