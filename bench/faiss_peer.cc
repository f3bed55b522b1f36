#include "faiss_peer.h"

#ifdef NEEDLE_WITH_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#endif

namespace needle::bench {

#ifdef NEEDLE_WITH_FAISS
namespace {

// PDQ limbs are little-endian 64-bit words; FAISS compares bytes, and the
// Hamming distance is the same for any consistent byte order.
template <typename Index>
class FaissPeer : public BinaryPeer {
 public:
  explicit FaissPeer(std::unique_ptr<Index> idx) : index_(std::move(idx)) {}
  void RangeSearch(const hash::Hash256& q, int radius, std::vector<int64_t>* ids) override {
    faiss::RangeSearchResult res(1);
    index_->range_search(1, reinterpret_cast<const uint8_t*>(q.limb.data()), radius + 1, &res);
    for (size_t i = res.lims[0]; i < res.lims[1]; ++i) ids->push_back(res.labels[i]);
  }

 private:
  std::unique_ptr<Index> index_;
};

}  // namespace

bool FaissAvailable() { return true; }

std::unique_ptr<BinaryPeer> MakeFaissFlat(const std::vector<hash::Hash256>& codes) {
  omp_set_num_threads(1);
  auto idx = std::make_unique<faiss::IndexBinaryFlat>(256);
  idx->add(static_cast<faiss::Index::idx_t>(codes.size()), reinterpret_cast<const uint8_t*>(codes.data()));
  return std::make_unique<FaissPeer<faiss::IndexBinaryFlat>>(std::move(idx));
}

std::unique_ptr<BinaryPeer> MakeFaissMultiHash(const std::vector<hash::Hash256>& codes, int nflip) {
  omp_set_num_threads(1);
  auto idx = std::make_unique<faiss::IndexBinaryMultiHash>(256, 16, 16);
  idx->nflip = nflip;
  idx->add(static_cast<faiss::Index::idx_t>(codes.size()), reinterpret_cast<const uint8_t*>(codes.data()));
  return std::make_unique<FaissPeer<faiss::IndexBinaryMultiHash>>(std::move(idx));
}
#else
bool FaissAvailable() { return false; }
std::unique_ptr<BinaryPeer> MakeFaissFlat(const std::vector<hash::Hash256>&) { return nullptr; }
std::unique_ptr<BinaryPeer> MakeFaissMultiHash(const std::vector<hash::Hash256>&, int) { return nullptr; }
#endif

}  // namespace needle::bench
