// FAISS (Debian's libfaiss-dev) as a peer in `needle bench index`:
// IndexBinaryFlat and IndexBinaryMultiHash(256, 16 x 16 bits, nflip).
// Benchmark-only: compiled in when CMake finds FAISS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hash/hash256.h"

namespace needle::bench {

class BinaryPeer {
 public:
  virtual ~BinaryPeer() = default;
  // Every id with distance <= radius (FAISS's own radius is strict: < radius+1).
  virtual void RangeSearch(const hash::Hash256& q, int radius, std::vector<int64_t>* ids) = 0;
};

bool FaissAvailable();
// nullptr when FAISS is not compiled in.
std::unique_ptr<BinaryPeer> MakeFaissFlat(const std::vector<hash::Hash256>& codes);
std::unique_ptr<BinaryPeer> MakeFaissMultiHash(const std::vector<hash::Hash256>& codes, int nflip);

}  // namespace needle::bench
