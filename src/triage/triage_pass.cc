#include "triage/triage_pass.h"

#include <algorithm>
#include <numeric>

#include "hash/hash256.h"
#include "index/mih_index.h"
#include "triage/verdict.h"

namespace needle::triage {
namespace {

struct UnionFind {
  std::vector<size_t> p;
  explicit UnionFind(size_t n) : p(n) { std::iota(p.begin(), p.end(), 0); }
  size_t Find(size_t x) {
    while (p[x] != x) x = p[x] = p[p[x]];
    return x;
  }
  void Unite(size_t a, size_t b) {
    a = Find(a), b = Find(b);
    if (a != b) p[std::max(a, b)] = std::min(a, b);
  }
};

}  // namespace

Result<TriageSummary> RunTriage(store::CaseStore& cs, const TriageConfig& config) {
  std::vector<store::ItemRow> items;
  NEEDLE_RETURN_IF_ERROR(cs.ForEachItem([&](store::ItemRow& r) {
    // Keep only what the verdicts and clusters read: the whole item (EXIF,
    // XMP, C2PA...) averaged ~30 KB per file as parsed JSON, 514 MB of peak
    // RSS on bench/scan-bench's 10,000 files.
    nlohmann::json slim = nlohmann::json::object();
    for (const char* key : {"pdq", "pdq_quality", "detector_score"})
      if (r.item.contains(key)) slim[key] = std::move(r.item[key]);
    r.item = std::move(slim);
    r.paths = {};
    items.push_back(std::move(r));
    return Status::Ok();
  }));
  // 1. Verdict per item.
  for (auto& r : items) {
    VerdictInput in;
    in.error_code = r.error_code;
    in.error_message = r.error_message;
    in.matches = r.matches;
    in.findings = r.findings;
    if (r.item.contains("detector_score")) in.detector_score = r.item["detector_score"].get<double>();
    Verdict v = Decide(in, config);
    r.klass = v.klass;
    r.priority = v.priority;
    r.explanation = v.reasons;
    r.cluster_id = 0;
  }
  // 2. Near-duplicate clusters over items with a usable PDQ.
  std::vector<hash::Hash256> codes;
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i].item;
    if (!it.contains("pdq") || it.value("pdq_quality", 0) < config.cluster_min_quality) continue;
    auto h = hash::Hash256::FromHex(it["pdq"].get<std::string>());
    if (!h) continue;
    codes.push_back(*h);
    idx.push_back(i);
  }
  UnionFind uf(items.size());
  std::map<std::pair<size_t, size_t>, int> dist;  // closest distance between linked items
  if (!codes.empty()) {
    std::vector<uint32_t> ids(codes.size());
    std::iota(ids.begin(), ids.end(), 0);
    auto mih = index::MihIndex::Build(codes, ids);
    std::vector<index::RangeHit> hits;
    for (uint32_t k = 0; k < codes.size(); ++k) {
      hits.clear();
      mih->Search(codes[k], config.cluster_pdq_distance, &hits);
      for (auto& h : hits)
        if (h.id != k) {
          uf.Unite(idx[k], idx[h.id]);
          dist[{std::min(idx[k], idx[h.id]), std::max(idx[k], idx[h.id])}] = h.distance;
        }
    }
  }
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < items.size(); ++i) groups[uf.Find(i)].push_back(i);
  std::vector<std::pair<int64_t, nlohmann::json>> clusters;
  TriageSummary summary;
  int64_t next_cluster = 1;
  for (auto& [root, members] : groups) {
    if (members.size() < 2) continue;
    const int64_t cid = next_cluster++;
    // 3. Inheritance from the strongest member.
    size_t best = members[0];
    for (size_t m : members)
      if (InheritRank(items[m].klass) > InheritRank(items[best].klass)) best = m;
    const std::string src = items[best].klass;
    nlohmann::json ids = nlohmann::json::array();
    // Proven-synthetic members are pointed out to their cluster mates (not inherited).
    std::string synthetic_mate;
    for (size_t m : members)
      if (items[m].klass == "synthetic-proven") synthetic_mate = items[m].sha256;
    for (size_t m : members) {
      items[m].cluster_id = cid;
      ids.push_back(items[m].id);
      if (!synthetic_mate.empty() && items[m].sha256 != synthetic_mate && items[m].klass != "synthetic-proven")
        items[m].explanation.push_back("a near-duplicate (cluster " + std::to_string(cid) + ") of item " +
                                       synthetic_mate.substr(0, 16) +
                                       "..., which has proven synthetic provenance (not inherited: it may be an AI "
                                       "edit of this picture)");
      if (m == best || InheritRank(src) == 0 || InheritRank(items[m].klass) >= InheritRank(src)) continue;
      items[m].klass = "known";
      items[m].priority = config.priority.at("known");
      items[m].explanation.insert(items[m].explanation.begin(),
                                  "known-derived: a near-duplicate (cluster " + std::to_string(cid) + ") of item " +
                                      items[best].sha256.substr(0, 16) + "..., which matched a bank");
    }
    clusters.push_back({cid, {{"members", ids}, {"representative", items[best].id}, {"class", src}}});
  }
  NEEDLE_RETURN_IF_ERROR(cs.SaveVerdicts(items, clusters));
  for (const auto& r : items) summary.classes[r.klass]++;
  summary.items = static_cast<int64_t>(items.size());
  summary.clusters = static_cast<int64_t>(clusters.size());
  return summary;
}

}  // namespace needle::triage
