// The index against brute force: never a missed or extra match, at every
// threshold, through interleaved inserts and deletes, on uniform and
// clustered code sets; memory stays bounded under repeated updates.
#include "index/live_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <fstream>
#include <random>
#include <set>

#include "index/flat_index.h"
#include "index/hamming.h"
#include "index/simd_levels.h"
#include "index/index_file.h"
#include "index/synthetic_codes.h"
#include "test_support.h"

namespace needle::index {
namespace {

using Pairs = std::vector<std::pair<uint32_t, uint16_t>>;

Pairs Sorted(const std::vector<RangeHit>& hits) {
  Pairs p;
  for (auto& h : hits) p.push_back({h.id, h.distance});
  std::sort(p.begin(), p.end());
  return p;
}

Pairs Oracle(const std::map<uint32_t, hash::Hash256>& live, const hash::Hash256& q, int r) {
  Pairs p;
  for (auto& [id, c] : live) {
    int d = hash::Distance(q, c);
    if (d <= r) p.push_back({id, static_cast<uint16_t>(d)});
  }
  return p;
}

class LiveIndexTest : public ::testing::TestWithParam<Distribution> {};

TEST_P(LiveIndexTest, MatchesBruteForceThroughInsertsAndDeletes) {
  std::mt19937_64 rng(11);
  LiveIndex::Options opt;
  opt.delta_limit = 300;  // small, so deltas turn into segments and compactions happen
  opt.side_min = 600;  // and the side soon outgrows the base's share: full rebuilds happen
  opt.segment_size = 2000;  // several segments
  opt.scan_below = 1000;  // searched (the base's segments) and scanned (a small side)
  LiveIndex index(opt);
  std::map<uint32_t, hash::Hash256> live;
  auto codes = MakeCodes(6000, GetParam(), 5);
  uint32_t next_id = 1;
  std::vector<IndexItem> initial;
  for (int i = 0; i < 3000; ++i) {
    initial.push_back({codes[i], next_id});
    live[next_id++] = codes[i];
  }
  index.Reset(initial);
  size_t cursor = 3000;
  for (int round = 0; round < 30; ++round) {
    // Insert a batch, delete a batch, re-add a deleted id with a new code.
    std::vector<IndexItem> add;
    for (int i = 0; i < 100 && cursor < codes.size(); ++i, ++cursor) {
      add.push_back({codes[cursor], next_id});
      live[next_id++] = codes[cursor];
    }
    index.Add(add);
    std::vector<uint32_t> del;
    for (int i = 0; i < 60 && !live.empty(); ++i) {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      del.push_back(it->first);
      live.erase(it);
    }
    if (!del.empty()) del.push_back(del.back());  // named twice: still one removal
    index.Remove(del);
    if (round % 5 == 0 && !del.empty()) {
      IndexItem revived{codes[rng() % codes.size()], del[0]};
      index.Add({&revived, 1});
      live[del[0]] = revived.code;
    }
    // The shape the policy promises (live_index.h): the count is exact,
    // and beside the base there is at most one side, within its share.
    const auto st = index.stats();
    ASSERT_EQ(st.live, live.size()) << "round " << round;
    ASSERT_LT(st.delta, opt.delta_limit);
    ASSERT_LE(st.side, std::max(opt.side_min, (st.stored - st.side - st.delta) / opt.side_divisor));
    auto queries = MakeQueries(codes, 12, GetParam(), 100 + round);
    for (int r : {0, 8, 31, 47, 63}) {
      for (const auto& q : queries) {
        std::vector<RangeHit> hits;
        index.Search(q, r, &hits);
        ASSERT_EQ(Sorted(hits), Oracle(live, q, r)) << "round " << round << " radius " << r;
      }
    }
  }
  auto st = index.stats();
  EXPECT_EQ(st.live, live.size());
}

INSTANTIATE_TEST_SUITE_P(Distributions, LiveIndexTest,
                         ::testing::Values(Distribution::kUniform, Distribution::kClustered));

TEST(LiveIndexMemoryTest, RepeatedUpdatesStayBounded) {
  LiveIndex::Options opt;
  opt.delta_limit = 256;
  LiveIndex index(opt);
  auto codes = MakeCodes(2000, Distribution::kClustered, 9);
  std::vector<IndexItem> items;
  for (uint32_t i = 0; i < 1000; ++i) items.push_back({codes[i], i + 1});
  index.Reset(items);
  uint32_t next = 5000;
  size_t max_stored = 0;
  // 20,000 single-item replace operations on a 1,000-item set.
  for (int i = 0; i < 20000; ++i) {
    uint32_t victim = items[i % items.size()].id;
    index.Remove({&victim, 1});
    IndexItem fresh{codes[(i * 7) % codes.size()], next++};
    items[i % items.size()] = fresh;
    index.Add({&fresh, 1});
    max_stored = std::max(max_stored, index.stats().stored);
  }
  EXPECT_EQ(index.stats().live, 1000u);
  EXPECT_LE(max_stored, 2000u);  // never more than 2x the live set
}

TEST(MihIndexTest, EveryRadiusAroundThePigeonholeStepsEqualsBruteForce) {
  // Per-table thresholds step at every radius (r + 1 units over 11 tables);
  // beyond t = 4 (r >= 55) the index scans. Codes near each other
  // (clustered) and not (uniform); every bucket width.
  for (Distribution d : {Distribution::kUniform, Distribution::kClustered}) {
    auto codes = MakeCodes(20000, d, 21);
    std::vector<uint32_t> ids(codes.size());
    std::map<uint32_t, hash::Hash256> live;
    for (uint32_t i = 0; i < ids.size(); ++i) {
      ids[i] = i * 7 + 3;
      live[ids[i]] = codes[i];
    }
    auto queries = MakeQueries(codes, 10, d, 22);
    const SimdLevel saved = ActiveSimdLevel();
    for (int top = MihIndex::kMinTopBits; top <= MihIndex::kMaxTopBits; ++top) {  // every bucket width
      auto mih = MihIndex::Build(codes, ids, top);
      ASSERT_EQ(mih->sections().top_bits, top);
      // Every kernel level: AVX-512 scans whole buckets, the others walk to
      // the entries equal to the query's low bits.
      for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
        if (!TrySimdLevel(level)) continue;
        for (int r : {0, 1, 10, 11, 21, 22, 31, 32, 33, 43, 44, 54, 55, 64, 100}) {
          for (const auto& q : queries) {
            std::vector<RangeHit> hits;
            mih->Search(q, r, &hits);
            ASSERT_EQ(Sorted(hits), Oracle(live, q, r))
                << "top bits " << top << " radius " << r << " kernels " << SimdLevelName(level);
          }
        }
      }
      SetSimdLevel(saved);
    }
  }
}

TEST(MihIndexTest, BucketsOfThousandsEqualBruteForce) {
  // Every code in the same bucket of every table (only the low bits of each
  // substring differ), so a visit with budget 0 looks for its run of equal
  // low bits among ~3,000 entries: the 16-slot window around the guessed
  // slot must hold the whole run or fall back to the bucket, at every level.
  constexpr int kTop = MihIndex::kMinTopBits;
  std::mt19937_64 rng(31);
  hash::Hash256 base;
  for (auto& l : base.limb) l = rng();
  std::vector<int> low_bits;  // bit positions of the substrings' low bits
  for (int k = 0, start = 0; k < MihIndex::kTables; start += SubstringBits(k), ++k)
    for (int b = 0; b < MihIndex::LowBits(kTop); ++b) low_bits.push_back(start + b);
  std::vector<hash::Hash256> codes(3000, base);
  std::vector<uint32_t> ids(codes.size());
  std::map<uint32_t, hash::Hash256> live;
  for (uint32_t i = 0; i < codes.size(); ++i) {
    for (int f = 0; f < 12; ++f) {
      const int bit = low_bits[rng() % low_bits.size()];
      codes[i].limb[size_t(bit >> 6)] ^= uint64_t{1} << (bit & 63);
    }
    ids[i] = i;
    live[i] = codes[i];
  }
  auto mih = MihIndex::Build(codes, ids, kTop);
  std::vector<hash::Hash256> queries;
  for (int i = 0; i < 30; ++i) {
    hash::Hash256 q = codes[rng() % codes.size()];
    for (int f = 0; f < i % 8; ++f) {  // a few flips anywhere, top bits too
      const int bit = static_cast<int>(rng() % 256);
      q.limb[size_t(bit >> 6)] ^= uint64_t{1} << (bit & 63);
    }
    queries.push_back(q);
  }
  const SimdLevel saved = ActiveSimdLevel();
  for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (!TrySimdLevel(level)) continue;
    for (int r : {0, 5, 10, 21, 31})
      for (const auto& q : queries) {
        std::vector<RangeHit> hits;
        mih->Search(q, r, &hits);
        ASSERT_EQ(Sorted(hits), Oracle(live, q, r)) << "radius " << r << " kernels " << SimdLevelName(level);
      }
  }
  SetSimdLevel(saved);
}

TEST(MihIndexTest, NeedlesVsHaystackGiveTheReference250Pairs) {
  const std::string dir = ::needle::testing::DataDir() + "/pdq/";
  auto read = [](const std::string& path) {
    std::vector<hash::Hash256> v;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      v.push_back(*hash::Hash256::FromHex(line.substr(line.find_last_of(' ') == std::string::npos ? 0 : line.find_last_of(' ') + 1, 64)));
    }
    return v;
  };
  auto hay = read(dir + "hash-lists/haystack.txt");
  auto needles = read(dir + "hash-lists/needles.txt");
  ASSERT_EQ(hay.size(), 1350u);
  ASSERT_EQ(needles.size(), 100u);
  std::vector<uint32_t> ids(hay.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  auto mih = MihIndex::Build(hay, ids);
  std::set<std::tuple<int, int, int>> got, want;
  for (size_t n = 0; n < needles.size(); ++n) {
    std::vector<RangeHit> hits;
    mih->Search(needles[n], 31, &hits);
    for (auto& h : hits) got.insert({static_cast<int>(n), static_cast<int>(h.id), h.distance});
  }
  for (auto& r : ::needle::testing::ReadCsv(dir + "expected/match-needles-vs-haystack-d31.csv"))
    want.insert({std::stoi(r["needle_index"]), std::stoi(r["haystack_index"]), std::stoi(r["distance"])});
  EXPECT_EQ(want.size(), 250u);
  EXPECT_EQ(got, want);
}

TEST(IndexFileTest, RoundTripAndCorruptionDetected) {
  ::needle::testing::TempDir t;
  auto codes = MakeCodes(5000, Distribution::kClustered, 3);
  std::vector<IndexItem> items;
  for (uint32_t i = 0; i < codes.size(); ++i) items.push_back({codes[i], i * 3 + 1});
  LiveIndex a;
  a.Reset(items);
  const std::string path = t.File("pdq.idx");
  ASSERT_TRUE(WriteIndexFile(path, 42, a.Segments()).ok());
  auto snap = ReadIndexFile(path);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->generation, 42u);
  LiveIndex b;
  b.ResetSegments(snap->segments);
  // A resident copy (the service's) answers as the mapped file does, and
  // outlives the mapping.
  std::vector<std::shared_ptr<const MihIndex>> copies;
  for (const auto& seg : snap->segments) copies.push_back(seg->ResidentCopy());
  LiveIndex c;
  {
    auto gone = ReadIndexFile(path);
    ASSERT_TRUE(gone.ok());
    std::vector<std::shared_ptr<const MihIndex>> from_gone;
    for (const auto& seg : gone->segments) from_gone.push_back(seg->ResidentCopy());
    c.ResetSegments(from_gone);
  }
  auto queries = MakeQueries(codes, 50, Distribution::kClustered, 8);
  for (auto& q : queries) {
    std::vector<RangeHit> ha, hb, hc;
    a.Search(q, 31, &ha);
    b.Search(q, 31, &hb);
    c.Search(q, 31, &hc);
    EXPECT_EQ(Sorted(ha), Sorted(hb));
    EXPECT_EQ(Sorted(ha), Sorted(hc));
  }
  ASSERT_EQ(copies.size(), snap->segments.size());
  for (size_t i = 0; i < copies.size(); ++i) EXPECT_EQ(copies[i]->IndexBytes(), snap->segments[i]->IndexBytes());
  // Truncated and bit-flipped files are refused, never read out of bounds.
  auto bytes = ::needle::testing::ReadFile(path);
  for (size_t cut : {size_t(10), size_t(100), bytes.size() / 2, bytes.size() - 1}) {
    ::needle::testing::WriteFile(t.File("cut.idx"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    EXPECT_FALSE(ReadIndexFile(t.File("cut.idx")).ok()) << cut;
  }
  // An entry naming a position past the end: the last entry of the last
  // table sits just before the zero padding; its top byte is position bits.
  auto bad = bytes;
  size_t last = bad.size() - 1;
  while (last > 0 && bad[last] == 0) --last;
  bad[(last & ~size_t(3)) + 3] = 0xff;
  ::needle::testing::WriteFile(t.File("bad.idx"), bad);
  EXPECT_EQ(ReadIndexFile(t.File("bad.idx")).status().code(), Code::kCorrupt);
  // A bucket whose occupancy no longer covers its entries would hide
  // matches: refused too.
  {
    auto seg = a.Segments()[0];
    auto sec = seg->sections();
    auto buckets = std::make_shared<std::vector<uint32_t>>(sec.buckets.begin(), sec.buckets.end());
    size_t i = 1;
    while ((*buckets)[i] == 0) i += 2;
    (*buckets)[i] = 0;
    sec.buckets = *buckets;
    auto tampered = MihIndex::FromSections(sec, buckets);
    ASSERT_TRUE(WriteIndexFile(t.File("occ.idx"), 1, {std::shared_ptr<const MihIndex>(std::move(tampered))}).ok());
    EXPECT_EQ(ReadIndexFile(t.File("occ.idx")).status().code(), Code::kCorrupt);
  }
  // Entries out of low-bit order within a bucket would hide matches from
  // the walk to a low value: refused.
  {
    auto seg = a.Segments()[0];
    auto sec = seg->sections();
    auto entries = std::make_shared<std::vector<uint32_t>>(sec.entries.begin(), sec.entries.end());
    const uint32_t* b = sec.buckets.data() + MihIndex::TableBucketsOffset(sec.top_bits, 1);
    auto& e = *entries;
    size_t i = 0;  // a bucket whose first and last entries differ in low bits
    while (b[2 * i + 2] - b[2 * i] < 2 || (e[b[2 * i]] & 0xff) == (e[b[2 * i + 2] - 1] & 0xff)) ++i;
    std::swap(e[b[2 * i]], e[b[2 * i + 2] - 1]);
    sec.entries = *entries;
    auto tampered = MihIndex::FromSections(sec, entries);
    ASSERT_TRUE(WriteIndexFile(t.File("order.idx"), 1, {std::shared_ptr<const MihIndex>(std::move(tampered))}).ok());
    EXPECT_EQ(ReadIndexFile(t.File("order.idx")).status().code(), Code::kCorrupt);
  }
  EXPECT_EQ(ReadIndexFile(t.File("missing.idx")).status().code(), Code::kNotFound);
}

}  // namespace
TEST(IndexFileTest, IdsOfEverySpanComeBackThroughSearchAndSnapshot) {
  // Ids are kept in 3 bytes from the segment's smallest id when they span
  // less than 2^24, else in 4: both widths, and 3 bytes at the top of the
  // id space, must give every id back unchanged, in memory and mapped.
  ::needle::testing::TempDir t;
  auto codes = MakeCodes(3000, Distribution::kUniform, 17);
  struct Case {
    const char* name;
    uint32_t (*id)(uint32_t);
    int bytes;
  };
  const Case cases[] = {
      {"dense from 0", [](uint32_t i) { return i; }, 3},
      {"near 2^32", [](uint32_t i) { return 0xffffffffu - i * 5000; }, 3},
      {"span 2^24 - 1", [](uint32_t i) { return i == 0 ? 7u : i == 1 ? 7u + 0xffffffu : 100u + i; }, 3},
      {"span 2^24", [](uint32_t i) { return i == 0 ? 7u : i == 1 ? 7u + 0x1000000u : 100u + i; }, 4},
      {"spread", [](uint32_t i) { return i * 1000003u; }, 4},
  };
  for (const Case& c : cases) {
    std::vector<uint32_t> ids(codes.size());
    for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = c.id(i);
    auto built = MihIndex::Build(codes, ids);
    ASSERT_EQ(built->sections().id_bytes, c.bytes) << c.name;
    const std::string path = t.File("ids.idx");
    ASSERT_TRUE(WriteIndexFile(path, 1, {std::shared_ptr<const MihIndex>(std::move(built))}).ok());
    auto snap = ReadIndexFile(path);
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    auto mapped = snap->segments[0];
    auto fresh = MihIndex::Build(codes, ids);
    for (size_t i = 0; i < codes.size(); i += 7) {
      for (const MihIndex* m : {static_cast<const MihIndex*>(fresh.get()), mapped.get()}) {
        std::vector<RangeHit> hits;
        m->Search(codes[i], 0, &hits);
        ASSERT_EQ(hits.size(), 1u) << c.name;
        EXPECT_EQ(hits[0].id, ids[i]) << c.name;
      }
    }
  }
  // An id width other than 3 or 4 (the segment header's last word) is refused.
  auto bytes = ::needle::testing::ReadFile(t.File("ids.idx"));
  bytes[64 + 20] = 5;
  ::needle::testing::WriteFile(t.File("width.idx"), bytes);
  EXPECT_EQ(ReadIndexFile(t.File("width.idx")).status().code(), Code::kCorrupt);
}

}  // namespace needle::index
