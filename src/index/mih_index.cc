#include "index/mih_index.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

#include "index/hamming.h"

namespace needle::index {
namespace {

constexpr int kTopBits = 16;
constexpr size_t kBuckets = MihIndex::kBuckets;

struct Layout {
  int start[MihIndex::kTables];
  int bits[MihIndex::kTables];
};
constexpr Layout MakeLayout() {
  Layout l{};
  int s = 0;
  for (int k = 0; k < MihIndex::kTables; ++k) {
    l.bits[k] = k < 256 % MihIndex::kTables ? 24 : 23;
    l.start[k] = s;
    s += l.bits[k];
  }
  return l;
}
constexpr Layout kLayout = MakeLayout();
static_assert(kLayout.start[MihIndex::kTables - 1] + kLayout.bits[MihIndex::kTables - 1] == 256);

int LowBits(int k) { return kLayout.bits[k] - kTopBits; }

// Beyond this t (radius >= 55) the tables visit most buckets: scan instead.
constexpr int kMaxTableT = 4;

// The 16-bit masks of each weight 0..kMaxTableT.
const std::vector<uint16_t>& MasksOfWeight(int w) {
  static const std::array<std::vector<uint16_t>, kMaxTableT + 1> masks = [] {
    std::array<std::vector<uint16_t>, kMaxTableT + 1> m;
    for (uint32_t v = 0; v < kBuckets; ++v) {
      int c = __builtin_popcount(v);
      if (c <= kMaxTableT) m[size_t(c)].push_back(static_cast<uint16_t>(v));
    }
    return m;
  }();
  return masks[size_t(w)];
}

// Popcount without assuming the popcnt instruction (the portable build
// would call libgcc for __builtin_popcount).
inline int Pop32(uint32_t x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return static_cast<int>((x * 0x01010101u) >> 24);
}

inline uint32_t Read24(const uint8_t* p, size_t i) {
  uint32_t v;
  std::memcpy(&v, p + 3 * i, 4);  // the postings array has one byte of padding
  return v & 0xffffff;
}

// Positions 0..n-1 stably ordered by key (two counting passes: low bits,
// then the top 16), and the bucket offsets of the top 16 bits.
std::vector<uint32_t> OrderByKey(const std::vector<uint32_t>& keys, int low_bits, uint32_t* offsets) {
  const size_t n = keys.size();
  const uint32_t low_mask = (1u << low_bits) - 1;
  std::vector<uint32_t> count(size_t(1) << low_bits, 0), tmp(n), order(n);
  for (uint32_t k : keys) ++count[k & low_mask];
  for (size_t b = 0, sum = 0; b < count.size(); ++b) {
    size_t c = count[b];
    count[b] = uint32_t(sum);
    sum += c;
  }
  for (uint32_t i = 0; i < n; ++i) tmp[count[keys[i] & low_mask]++] = i;
  std::fill(offsets, offsets + kBuckets + 1, 0);
  for (uint32_t k : keys) ++offsets[(k >> low_bits) + 1];
  for (size_t b = 0; b < kBuckets; ++b) offsets[b + 1] += offsets[b];
  std::vector<uint32_t> fill(offsets, offsets + kBuckets);
  for (uint32_t i : tmp) order[fill[keys[i] >> low_bits]++] = i;
  return order;
}

}  // namespace

int SubstringBits(int k) { return kLayout.bits[k]; }

uint32_t Substring(const hash::Hash256& h, int k) {
  const int start = kLayout.start[k], bits = kLayout.bits[k];
  const int limb = start >> 6, off = start & 63;
  uint64_t v = h.limb[size_t(limb)] >> off;
  if (off + bits > 64) v |= h.limb[size_t(limb) + 1] << (64 - off);
  return static_cast<uint32_t>(v & ((uint64_t{1} << bits) - 1));
}

std::unique_ptr<MihIndex> MihIndex::Build(std::span<const hash::Hash256> codes, std::span<const uint32_t> ids) {
  const size_t n = codes.size();
  std::unique_ptr<MihIndex> m(new MihIndex());
  m->n_ = n;
  m->offsets_own_.assign(OffsetsLen(), 0);
  m->low_own_.assign(LowBitsLen(n), 0);
  m->postings_own_.assign(PostingsLen(n), 0);
  std::vector<uint32_t> keys(n);
  // Codes sorted by substring 0: table 0's slots are the code positions.
  for (size_t i = 0; i < n; ++i) keys[i] = Substring(codes[i], 0);
  {
    std::vector<uint32_t> order = OrderByKey(keys, LowBits(0), m->offsets_own_.data());
    m->codes_own_.resize(n);
    m->ids_own_.resize(n);
    for (size_t pos = 0; pos < n; ++pos) {
      m->codes_own_[pos] = codes[order[pos]];
      m->ids_own_[pos] = ids[order[pos]];
    }
  }
  for (int k = 0; k < kTables; ++k) {
    const uint32_t low_mask = (1u << LowBits(k)) - 1;
    for (size_t pos = 0; pos < n; ++pos) keys[pos] = Substring(m->codes_own_[pos], k);
    uint32_t* off = &m->offsets_own_[size_t(k) * (kBuckets + 1)];
    std::vector<uint32_t> order = OrderByKey(keys, LowBits(k), off);
    uint8_t* low = &m->low_own_[size_t(k) * n];
    uint8_t* post = k > 0 ? &m->postings_own_[size_t(k - 1) * 3 * n] : nullptr;
    for (size_t slot = 0; slot < n; ++slot) {
      const uint32_t pos = order[slot];
      low[slot] = static_cast<uint8_t>(keys[pos] & low_mask);
      if (post) {
        post[3 * slot] = pos & 0xff;
        post[3 * slot + 1] = (pos >> 8) & 0xff;
        post[3 * slot + 2] = (pos >> 16) & 0xff;
      }
    }
  }
  m->view_ = Sections{m->codes_own_, m->ids_own_, m->offsets_own_, m->low_own_, m->postings_own_};
  return m;
}

std::unique_ptr<MihIndex> MihIndex::FromSections(const Sections& s, std::shared_ptr<const void> keepalive) {
  std::unique_ptr<MihIndex> m(new MihIndex());
  m->n_ = s.codes.size();
  m->view_ = s;
  m->keepalive_ = std::move(keepalive);
  return m;
}

MihIndex::Sections MihIndex::sections() const { return view_; }

size_t MihIndex::IndexBytes() const {
  return view_.offsets.size_bytes() + view_.low_bits.size_bytes() + view_.postings.size_bytes();
}

void MihIndex::Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const {
  if (n_ == 0 || radius < 0) return;
  const int t = radius / kTables;
  const hash::Hash256* codes = view_.codes.data();
  if (t > kMaxTableT) {
    std::vector<uint32_t> idx(n_);
    std::vector<uint16_t> dist(n_);
    size_t k = RangeScan(q, codes, n_, radius, idx.data(), dist.data());
    for (size_t i = 0; i < k; ++i) out->push_back({view_.ids[idx[i]], dist[i]});
    return;
  }
  uint32_t qs[kTables];
  for (int k = 0; k < kTables; ++k) qs[k] = Substring(q, k);

  // A match is reported by the first table whose substring is within t.
  auto first_table_within = [&](const hash::Hash256& c) {
    for (int k = 0; k < kTables; ++k)
      if (Pop32(qs[k] ^ Substring(c, k)) <= t) return k;
    return kTables;
  };
  auto verify = [&](uint32_t pos, int table) {
    const hash::Hash256& c = codes[pos];
    int d = DistancePopcnt(q, c);
    if (d <= radius && first_table_within(c) == table) out->push_back({view_.ids[pos], static_cast<uint16_t>(d)});
  };

  // Every bucket to visit: (table, top key, low-bit budget). Visited in three
  // passes so the cache misses overlap instead of queueing one after another:
  // prefetch the offsets, then read them and prefetch the buckets, then scan.
  struct Visit {
    uint32_t table_budget;  // (table << 8) | budget
    uint32_t key;
    uint32_t begin, end;
  };
  thread_local std::vector<Visit> visits;
  visits.clear();
  for (int k = 0; k < kTables; ++k) {
    const uint32_t* off = view_.offsets.data() + size_t(k) * (kBuckets + 1);
    const uint32_t qtop = qs[k] >> LowBits(k);
    for (int a = 0; a <= t; ++a)
      for (uint16_t mask : MasksOfWeight(a)) {
        const uint32_t key = qtop ^ mask;
        __builtin_prefetch(off + key);
        visits.push_back({(uint32_t(k) << 8) | uint32_t(t - a), key, 0, 0});
      }
  }
  for (Visit& v : visits) {
    const int k = int(v.table_budget >> 8);
    const uint32_t* off = view_.offsets.data() + size_t(k) * (kBuckets + 1);
    v.begin = off[v.key];
    v.end = off[v.key + 1];
    if (v.begin != v.end) __builtin_prefetch(view_.low_bits.data() + size_t(k) * n_ + v.begin);
  }

  // Candidates as (slot << 4) | table; slots become code positions below
  // (table 0's slots are positions, the others' go through their postings).
  thread_local std::vector<uint32_t> cand;
  cand.clear();
  for (const Visit& v : visits) {
    if (v.begin == v.end) continue;
    const int k = int(v.table_budget >> 8), budget = int(v.table_budget & 0xff), lb = LowBits(k);
    const uint8_t* low = view_.low_bits.data() + size_t(k) * n_;
    const uint8_t qlow = static_cast<uint8_t>(qs[k] & ((1u << lb) - 1));
    const uint32_t len = v.end - v.begin;
    const size_t nc = cand.size();
    cand.resize(nc + len);
    uint32_t* dst = cand.data() + nc;
    size_t found;
    if (budget >= lb) {
      std::iota(dst, dst + len, v.begin);
      found = len;
    } else {
      found = NearBytes(low + v.begin, len, qlow, budget, v.begin, dst);
    }
    for (size_t i = 0; i < found; ++i) dst[i] = (dst[i] << 4) | uint32_t(k);
    cand.resize(nc + found);
  }

  // Slots to positions, then verification. Both read memory all over the
  // place: run each as a prefetch pipeline, kAhead misses in flight.
  constexpr size_t kAhead = 32;
  const size_t nc = cand.size();
  auto posting = [&](uint32_t c) -> const uint8_t* {
    const uint32_t k = c & 15;
    return view_.postings.data() + size_t(k - 1) * 3 * n_ + 3 * size_t(c >> 4);
  };
  for (size_t i = 0; i < nc; ++i) {
    if (i + kAhead < nc && (cand[i + kAhead] & 15) != 0) __builtin_prefetch(posting(cand[i + kAhead]));
    const uint32_t c = cand[i];
    if ((c & 15) != 0) cand[i] = (Read24(posting(c), 0) << 4) | (c & 15);
  }
  for (size_t i = 0; i < std::min(kAhead, nc); ++i) __builtin_prefetch(&codes[cand[i] >> 4]);
  for (size_t i = 0; i < nc; ++i) {
    if (i + kAhead < nc) __builtin_prefetch(&codes[cand[i + kAhead] >> 4]);
    verify(cand[i] >> 4, static_cast<int>(cand[i] & 15));
  }
}

}  // namespace needle::index
