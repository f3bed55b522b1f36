#include "index/mih_index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <mutex>

#include "index/hamming.h"

namespace needle::index {
namespace {

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

// Beyond this threshold (radius >= 55) the tables visit most buckets: scan.
constexpr int kMaxTableT = 4;

// Bucket key widths run from the narrowest table's at kMinTopBits to the
// widest's at kMaxTopBits.
constexpr int kMinKeyBits = MihIndex::kMinTopBits - 1, kKeyWidths = MihIndex::kMaxTopBits - kMinKeyBits + 1;

// The masks of each weight 0..kMaxTableT over `key_bits` bits.
const std::vector<uint32_t>& MasksOfWeight(int key_bits, int w) {
  using Table = std::array<std::vector<uint32_t>, kMaxTableT + 1>;
  static const std::array<Table, kKeyWidths> masks = [] {
    std::array<Table, kKeyWidths> all;
    for (int kb = kMinKeyBits; kb <= MihIndex::kMaxTopBits; ++kb)
      for (uint32_t v = 0; v < (1u << kb); ++v) {
        int c = std::popcount(v);
        if (c <= kMaxTableT) all[size_t(kb - kMinKeyBits)][size_t(c)].push_back(v);
      }
    return all;
  }();
  return masks[size_t(key_bits - kMinKeyBits)][size_t(w)];
}

// Popcount without assuming the popcnt instruction (the portable build
// would call libgcc for __builtin_popcount).
inline int Pop32(uint32_t x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return static_cast<int>((x * 0x01010101u) >> 24);
}

// Per-table thresholds for radius r: r + 1 units shared out, one table at a
// time, 24-bit tables first (a longer substring gives fewer candidates per
// extra bit); t_k = units - 1, -1 meaning the table is not visited.
void Thresholds(int r, int* t) {
  const int units = r + 1, base = units / MihIndex::kTables, extra = units % MihIndex::kTables;
  for (int k = 0; k < MihIndex::kTables; ++k) t[k] = base + (k < extra ? 1 : 0) - 1;
}

// One bucket visit of a search: the table, the budget left for the low
// bits, and the mask that turns the query's top bits into the bucket key.
struct PlannedVisit {
  uint8_t table, budget;
  uint32_t mask;
};

// The visits of a search at `radius` over keys of `top_bits` are the same for
// every query: built once per width and radius, then shared (built per query
// they cost ~3 us of a ~100 us search at 10M codes).
const std::vector<PlannedVisit>& VisitPlan(int top_bits, int radius) {
  constexpr int kWidths = MihIndex::kMaxTopBits - MihIndex::kMinTopBits + 1;
  constexpr int kRadii = MihIndex::kTables * (kMaxTableT + 1);  // every radius with t <= kMaxTableT
  static std::once_flag once[kWidths][kRadii];
  static std::vector<PlannedVisit> plans[kWidths][kRadii];
  const size_t w = size_t(top_bits - MihIndex::kMinTopBits), r = size_t(radius);
  std::call_once(once[w][r], [&] {
    int t[MihIndex::kTables];
    Thresholds(radius, t);
    for (int k = 0; k < MihIndex::kTables; ++k)
      for (int a = 0; a <= t[k]; ++a)
        for (uint32_t mask : MasksOfWeight(MihIndex::TableTopBits(top_bits, k), a))
          plans[w][r].push_back({uint8_t(k), uint8_t(t[k] - a), mask});
  });
  return plans[w][r];
}

// For each low-bits value q, the occupancy bits of the values within each
// budget of q. The same for every query: computed per query it cost ~5 us
// of a ~40 us search at 1M codes (8 low bits: 11 x 256 popcounts).
using NearOccupancy = std::vector<std::array<uint32_t, kMaxTableT + 1>>;
const NearOccupancy& NearOccupancyTable(int low_bits) {
  static const std::array<NearOccupancy, 9> tables = [] {  // low bits 0..8
    std::array<NearOccupancy, 9> all;
    for (int lb = 0; lb <= 8; ++lb) {
      all[size_t(lb)].assign(size_t(1) << lb, {});
      for (uint32_t q = 0; q < (1u << lb); ++q)
        for (uint32_t x = 0; x < (1u << lb); ++x)
          for (int b = Pop32(x ^ q); b <= kMaxTableT; ++b) all[size_t(lb)][q][size_t(b)] |= MihIndex::OccupancyBit(x);
    }
    return all;
  }();
  return tables[size_t(low_bits)];
}

// Positions 0..n-1 stably ordered by key (two counting passes: low bits,
// then the top bits), and the bucket offsets of the top bits.
std::vector<uint32_t> OrderByKey(const std::vector<uint32_t>& keys, int low_bits, int top_bits, uint32_t* offsets) {
  const size_t n = keys.size(), buckets = size_t(1) << top_bits;
  const uint32_t low_mask = (1u << low_bits) - 1;
  std::vector<uint32_t> count(size_t(1) << low_bits, 0), tmp(n), order(n);
  for (uint32_t k : keys) ++count[k & low_mask];
  for (size_t b = 0, sum = 0; b < count.size(); ++b) {
    size_t c = count[b];
    count[b] = uint32_t(sum);
    sum += c;
  }
  for (uint32_t i = 0; i < n; ++i) tmp[count[keys[i] & low_mask]++] = i;
  std::fill(offsets, offsets + buckets + 1, 0);
  for (uint32_t k : keys) ++offsets[(k >> low_bits) + 1];
  for (size_t b = 0; b < buckets; ++b) offsets[b + 1] += offsets[b];
  std::vector<uint32_t> fill(offsets, offsets + buckets);
  for (uint32_t i : tmp) order[fill[keys[i] >> low_bits]++] = i;
  return order;
}

// Prefetches the cache lines of n elements from p, at most 8 lines (a
// longer bucket streams in behind them). Prefetching only the first line
// left the rest of a ~40-entry bucket to demand misses (10M clustered:
// 173 -> 145 us per query).
template <typename T>
void PrefetchLines(const T* p, size_t n) {
  const char* a = reinterpret_cast<const char*>(p);
  const char* end = reinterpret_cast<const char*>(p + n);
  for (int line = 0; a < end && line < 8; a += 64, ++line) __builtin_prefetch(a);
}

// Entries of a bucket are sorted by their low bits, which are close to
// uniform: the entries equal to `low` start near this slot.
inline uint32_t GuessSlot(uint32_t begin, uint32_t end, uint8_t low, int low_bits) {
  return begin + static_cast<uint32_t>((uint64_t(end - begin) * low) >> low_bits);
}

// The slots [begin, end) of 16 around a guessed slot within a bucket: one
// 16-lane scan, two cache lines to prefetch.
struct Window {
  uint32_t begin, end;
};
inline Window WindowAround(uint32_t guess, uint32_t begin, uint32_t end) {
  const uint32_t w0 = guess >= begin + 8 ? guess - 8 : begin;
  return {w0, std::min(end, w0 + 16)};
}

// The positions of bucket entries [begin, end) whose low bits equal `low`,
// found by walking from `guess` to the first of them. Most visits have a
// budget of 0 and a bucket of ~16-64 entries (TopBitsFor) holding one or two
// such entries: this touches one or two cache lines where a scan touches all of
// them (10M clustered codes, 2,000 queries: 136 -> 132 us per query).
size_t EqualLowEntries(const uint32_t* e, uint32_t begin, uint32_t end, uint8_t low, uint32_t guess, uint32_t tag,
                       uint32_t* out) {
  uint32_t i = guess;
  if (i < end && (e[i] & 0xff) >= low) {
    while (i > begin && (e[i - 1] & 0xff) >= low) --i;
  } else {
    while (i < end && (e[i] & 0xff) < low) ++i;
  }
  size_t k = 0;
  for (; i < end && (e[i] & 0xff) == low; ++i) out[k++] = (e[i] >> 8) << kCandidateTagBits | tag;
  return k;
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

int MihIndex::TableTopBits(int top_bits, int k) { return SubstringBits(k) - LowBits(top_bits); }

// Where each table's buckets start, per key width: a search looks up all
// eleven, so they are computed at compile time rather than summed per call.
constexpr int kTopWidths = MihIndex::kMaxTopBits - MihIndex::kMinTopBits + 1;
constexpr auto kBucketOffsets = [] {
  std::array<std::array<size_t, MihIndex::kTables + 1>, kTopWidths> o{};
  for (int top = MihIndex::kMinTopBits; top <= MihIndex::kMaxTopBits; ++top) {
    auto& w = o[size_t(top - MihIndex::kMinTopBits)];
    for (int k = 0; k < MihIndex::kTables; ++k)
      w[size_t(k) + 1] = w[size_t(k)] + ((size_t(1) << (kLayout.bits[k] - MihIndex::LowBits(top))) + 1) * 2;
  }
  return o;
}();

size_t MihIndex::TableBucketsOffset(int top_bits, int k) {
  return kBucketOffsets[size_t(top_bits - kMinTopBits)][size_t(k)];
}

int MihIndex::TopBitsFor(size_t n) {
  // ~16-64 codes a bucket of the 24-bit tables (twice that in the 23-bit
  // ones), buckets near 3-4 B/hash; the low bits (24 - top) must fit a byte.
  const int want = static_cast<int>(std::bit_width(n)) - 5;
  return std::clamp(want, kMinTopBits, kMaxTopBits);
}

std::unique_ptr<MihIndex> MihIndex::Build(std::span<const hash::Hash256> codes, std::span<const uint32_t> ids,
                                           int top_bits) {
  const size_t n = codes.size();
  const int top = top_bits == 0 ? TopBitsFor(n) : std::clamp(top_bits, kMinTopBits, kMaxTopBits);
  std::unique_ptr<MihIndex> m(new MihIndex());
  m->n_ = n;
  m->buckets_own_.assign(BucketsLen(top), 0);
  std::vector<uint32_t> offsets((size_t(1) << top) + 1);
  const int lb = LowBits(top);
  const uint32_t low_mask = (1u << lb) - 1;
  m->low_own_.assign(LowBitsLen(n), 0);
  m->entries_own_.assign(EntriesLen(n), 0);
  std::vector<uint32_t> keys(n);
  // Codes sorted by substring 0: table 0's slots are the code positions.
  for (size_t i = 0; i < n; ++i) keys[i] = Substring(codes[i], 0);
  {
    std::vector<uint32_t> order = OrderByKey(keys, lb, top, offsets.data());
    m->codes_own_.resize(n);
    for (size_t pos = 0; pos < n; ++pos) m->codes_own_[pos] = codes[order[pos]];
    // Ids are read only for matches: 3 bytes when they fit (1 B/hash less).
    const auto [lo, hi] = std::minmax_element(ids.begin(), ids.end());
    const uint32_t id_base = n == 0 ? 0 : *lo;
    const int id_bytes = n == 0 || *hi - *lo < (1u << 24) ? 3 : 4;
    m->ids_own_.assign(IdsLen(n, id_bytes), 0);
    for (size_t pos = 0; pos < n; ++pos) {
      const uint32_t v = id_bytes == 3 ? ids[order[pos]] - id_base : ids[order[pos]];
      std::memcpy(&m->ids_own_[pos * size_t(id_bytes)], &v, size_t(id_bytes));  // little-endian
    }
    m->view_.id_base = id_bytes == 3 ? id_base : 0;
    m->view_.id_bytes = id_bytes;
  }
  for (int k = 0; k < kTables; ++k) {
    const int ktop = TableTopBits(top, k);
    for (size_t pos = 0; pos < n; ++pos) keys[pos] = Substring(m->codes_own_[pos], k);
    std::vector<uint32_t> order = OrderByKey(keys, lb, ktop, offsets.data());
    uint32_t* bucket = &m->buckets_own_[TableBucketsOffset(top, k)];
    for (size_t b = 0; b <= (size_t(1) << ktop); ++b) bucket[2 * b] = offsets[b];
    for (uint32_t key : keys) bucket[2 * (key >> lb) + 1] |= OccupancyBit(key & low_mask);
    if (k == 0) {
      for (size_t slot = 0; slot < n; ++slot) m->low_own_[slot] = static_cast<uint8_t>(keys[slot] & low_mask);
      continue;
    }
    uint32_t* e = &m->entries_own_[size_t(k - 1) * n];
    for (size_t slot = 0; slot < n; ++slot) e[slot] = (keys[order[slot]] & low_mask) | (order[slot] << 8);
  }
  m->view_.top_bits = top;
  m->ViewOwnArrays();
  return m;
}

void MihIndex::ViewOwnArrays() {
  view_.codes = codes_own_;
  view_.ids = ids_own_;
  view_.buckets = buckets_own_;
  view_.low_bits = low_own_;
  view_.entries = entries_own_;
}

std::unique_ptr<MihIndex> MihIndex::FromSections(const Sections& s, std::shared_ptr<const void> keepalive) {
  std::unique_ptr<MihIndex> m(new MihIndex());
  m->n_ = s.codes.size();
  m->view_ = s;
  m->keepalive_ = std::move(keepalive);
  return m;
}

std::unique_ptr<MihIndex> MihIndex::ResidentCopy() const {
  std::unique_ptr<MihIndex> m(new MihIndex());
  m->n_ = n_;
  m->codes_own_.assign(view_.codes.begin(), view_.codes.end());
  m->ids_own_.assign(view_.ids.begin(), view_.ids.end());
  m->buckets_own_.assign(view_.buckets.begin(), view_.buckets.end());
  m->low_own_.assign(view_.low_bits.begin(), view_.low_bits.end());
  m->entries_own_.assign(view_.entries.begin(), view_.entries.end());
  m->view_ = view_;
  m->ViewOwnArrays();
  return m;
}

MihIndex::Sections MihIndex::sections() const { return view_; }

size_t MihIndex::IndexBytes() const {
  return view_.ids.size_bytes() + view_.buckets.size_bytes() + view_.low_bits.size_bytes() +
         view_.entries.size_bytes();
}

void MihIndex::Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const {
  if (n_ == 0 || radius < 0) return;
  int t[kTables];
  Thresholds(radius, t);
  const hash::Hash256* codes = view_.codes.data();
  if (*std::max_element(t, t + kTables) > kMaxTableT) {
    std::vector<uint32_t> idx(n_);
    std::vector<uint16_t> dist(n_);
    size_t k = RangeScan(q, codes, n_, radius, idx.data(), dist.data());
    for (size_t i = 0; i < k; ++i) out->push_back({IdAt(idx[i]), dist[i]});
    return;
  }
  const int top = view_.top_bits, lb = LowBits(top);
  // The query's substrings, split into the bucket key (top) and low bits,
  // and where each table's buckets start.
  uint32_t qs[kTables], qtop[kTables];
  uint8_t qlow[kTables];
  const uint32_t* table_buckets[kTables];
  for (int k = 0; k < kTables; ++k) {
    qs[k] = Substring(q, k);
    qtop[k] = qs[k] >> lb;
    qlow[k] = static_cast<uint8_t>(qs[k] & ((1u << lb) - 1));
    table_buckets[k] = view_.buckets.data() + TableBucketsOffset(top, k);
  }

  const std::vector<PlannedVisit>& visits = VisitPlan(top, radius);

  // The occupancy bits of the low-bits values within each budget of the
  // query's, per table (t[k] <= kMaxTableT here).
  const NearOccupancy& near_of = NearOccupancyTable(lb);
  const uint32_t* near[kTables];
  for (int k = 0; k < kTables; ++k) near[k] = near_of[qlow[k]].data();

  // Visits are a software pipeline, since each one is a cache miss or two:
  // the bucket word pair of visit i + 2L is prefetched, visit i + L reads it
  // and prefetches the entries (unless the occupancy rules them out), visit
  // i scans. A visit with no bits to spare (budget 0) wants the run of
  // entries equal to the query's low bits, near a slot guessed from them: it
  // prefetches the 16 slots around the guess. With AVX-512 it scans those 16
  // in one step with no branch on the data (the whole bucket when the run
  // may leave them: ~16% of visits on clustered codes, 0.2% on uniform);
  // without, it walks from the guess. 10M codes, against scanning whole
  // buckets: clustered ~94 -> ~89 us, uniform ~110 -> ~90 us; the walk with
  // this prefetch: clustered ~118 -> ~104 us, uniform ~116 -> ~107 us.
  const bool simd_scan = ActiveSimdLevel() >= SimdLevel::kAvx512;
  auto bucket_of = [&](const PlannedVisit& v) {
    return table_buckets[v.table] + (qtop[v.table] ^ v.mask) * 2;
  };
  // The entries of visit i, [begin[i % kRing], end[i % kRing]), found kLead
  // visits before it is scanned.
  constexpr size_t kLead = 16, kRing = 32;  // kLead 8-32 measured within 5%
  uint32_t begin[kRing], end[kRing];
  auto locate = [&](size_t i) {
    const PlannedVisit& v = visits[i];
    const uint32_t* o = bucket_of(v);
    const uint32_t b = o[0], e = (o[1] & near[v.table][v.budget]) != 0 ? o[2] : o[0];
    begin[i % kRing] = b;
    end[i % kRing] = e;
    if (b == e) return;
    if (v.table == 0) {
      PrefetchLines(view_.low_bits.data() + b, e - b);
    } else {
      const uint32_t* entries = view_.entries.data() + (v.table - 1) * n_;
      if (v.budget == 0) {
        const Window w = WindowAround(GuessSlot(b, e, qlow[v.table], lb), b, e);
        __builtin_prefetch(entries + w.begin);
        __builtin_prefetch(entries + w.end - 1);
      } else {
        PrefetchLines(entries + b, e - b);
      }
    }
  };
  const size_t nv = visits.size();
  for (size_t i = 0; i < std::min(2 * kLead, nv); ++i) __builtin_prefetch(bucket_of(visits[i]));
  for (size_t i = 0; i < std::min(kLead, nv); ++i) locate(i);

  // Candidates as (position << 4) | table, in a plain buffer: growing a
  // vector per bucket would zero every slot first (a megabyte of memset per
  // query at 10M codes).
  thread_local std::unique_ptr<uint32_t[]> cand_buf;
  thread_local size_t cand_cap = 0;
  size_t nc = 0;
  for (size_t vi = 0; vi < nv; ++vi) {
    if (vi + 2 * kLead < nv) __builtin_prefetch(bucket_of(visits[vi + 2 * kLead]));
    if (vi + kLead < nv) locate(vi + kLead);
    const uint32_t b = begin[vi % kRing], e = end[vi % kRing];
    if (b == e) continue;
    const PlannedVisit& v = visits[vi];
    const int k = v.table;
    const uint32_t len = e - b;
    if (nc + len + 16 > cand_cap) {  // 16: the kernels' room to store whole vectors
      size_t cap = std::max<size_t>(2 * cand_cap, nc + len + 16 + 4096);
      std::unique_ptr<uint32_t[]> grown(new uint32_t[cap]);
      std::copy_n(cand_buf.get(), nc, grown.get());
      cand_buf = std::move(grown);
      cand_cap = cap;
    }
    uint32_t* dst = cand_buf.get() + nc;
    const int budget = v.budget >= lb ? 8 : v.budget;
    if (k == 0) {
      nc += NearBytes(view_.low_bits.data() + b, len, qlow[k], budget, b, dst);
    } else {
      const uint32_t* entries = view_.entries.data() + size_t(k - 1) * n_;
      if (v.budget > 0) {
        nc += NearEntries(entries + b, len, qlow[k], budget, uint32_t(k), dst);
        continue;
      }
      const uint32_t guess = GuessSlot(b, e, qlow[k], lb);
      if (!simd_scan) {
        nc += EqualLowEntries(entries, b, e, qlow[k], guess, uint32_t(k), dst);
        continue;
      }
      // The entries equal to the query's low bits are one run (sorted by low
      // bits): the window holds all of it unless an entry at its edge could
      // continue it outside.
      const Window w = WindowAround(guess, b, e);
      const bool holds_run = (w.begin == b || (entries[w.begin] & 0xff) < qlow[k]) &&
                             (w.end == e || (entries[w.end - 1] & 0xff) > qlow[k]);
      nc += holds_run ? NearEntries(entries + w.begin, w.end - w.begin, qlow[k], 0, uint32_t(k), dst)
                      : NearEntries(entries + b, len, qlow[k], 0, uint32_t(k), dst);
    }
  }

  // A match is reported by the first table whose substring is within its
  // threshold (skipped tables have t = -1 and never are).
  auto first_table_within = [&](const hash::Hash256& c) {
    for (int k = 0; k < kTables; ++k)
      if (Pop32(qs[k] ^ Substring(c, k)) <= t[k]) return k;
    return int(kTables);
  };
  thread_local std::vector<uint32_t> near_idx;
  thread_local std::vector<uint16_t> near_dist;
  near_idx.resize(nc);
  near_dist.resize(nc);
  const uint32_t* cand = cand_buf.get();
  const size_t within = VerifyCandidates(q, codes, cand, nc, radius, near_idx.data(), near_dist.data());
  for (size_t i = 0; i < within; ++i) {
    const uint32_t c = cand[near_idx[i]], pos = c >> kCandidateTagBits;
    if (first_table_within(codes[pos]) == int(c & ((1u << kCandidateTagBits) - 1))) out->push_back({IdAt(pos), near_dist[i]});
  }
}

}  // namespace needle::index
