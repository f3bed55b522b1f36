// Switches the index kernels to a SIMD level for a test, saying so visibly
// when this CPU lacks it (CI machines may have no AVX-512), so a skipped
// level never passes unnoticed.
#pragma once

#include <cstdio>

#include "index/hamming.h"

namespace needle::index {

inline bool TrySimdLevel(SimdLevel level) {
  if (SetSimdLevel(level)) return true;
  std::printf("[  SKIPPED ] SIMD level %s: not supported by this CPU\n", SimdLevelName(level));
  return false;
}

}  // namespace needle::index
