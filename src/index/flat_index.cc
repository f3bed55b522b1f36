#include "index/flat_index.h"

#include "index/hamming.h"

namespace needle::index {

void FlatIndex::Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const {
  // Scan in blocks so the scratch stays small and in cache.
  constexpr size_t kBlock = 4096;
  uint32_t idx[kBlock];
  uint16_t dist[kBlock];
  for (size_t b = 0; b < codes_.size(); b += kBlock) {
    size_t n = std::min(kBlock, codes_.size() - b);
    size_t k = RangeScan(q, codes_.data() + b, n, radius, idx, dist);
    for (size_t i = 0; i < k; ++i) out->push_back({ids_[b + idx[i]], dist[i]});
  }
}

}  // namespace needle::index
