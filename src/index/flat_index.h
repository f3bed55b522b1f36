// Brute-force range search: every code compared with the query. The oracle
// the other indexes are tested against, and the baseline in benchmarks.
#pragma once

#include <vector>

#include "index/mih_index.h"

namespace needle::index {

class FlatIndex {
 public:
  void Add(const hash::Hash256& code, uint32_t id) {
    codes_.push_back(code);
    ids_.push_back(id);
  }
  void Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const;
  size_t size() const { return codes_.size(); }
  const std::vector<hash::Hash256>& codes() const { return codes_; }
  const std::vector<uint32_t>& ids() const { return ids_; }

 private:
  std::vector<hash::Hash256> codes_;
  std::vector<uint32_t> ids_;
};

}  // namespace needle::index
