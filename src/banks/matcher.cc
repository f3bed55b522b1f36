#include "banks/matcher.h"

#include <algorithm>
#include <cstdio>

#include "index/index_file.h"

namespace needle::banks {

const char* DigestTypeName(store::DigestType t) {
  switch (t) {
    case store::DigestType::kMd5: return "md5";
    case store::DigestType::kSha1: return "sha1";
    case store::DigestType::kSha256: return "sha256";
  }
  return "md5";
}

Result<std::unique_ptr<Matcher>> Matcher::Open(store::BankStore& store, bool save_snapshot) {
  std::unique_ptr<Matcher> m(new Matcher(store));
  NEEDLE_RETURN_IF_ERROR(m->RefreshBanks());
  NEEDLE_RETURN_IF_ERROR(m->LoadIndex(save_snapshot));
  return m;
}

Status Matcher::RefreshBanks() {
  NEEDLE_ASSIGN_OR_RETURN(banks_, store_.ListBanks());
  return Status::Ok();
}

Status Matcher::LoadIndex(bool save) {
  NEEDLE_ASSIGN_OR_RETURN(uint64_t generation, store_.Generation());
  auto snap = index::ReadIndexFile(store_.IndexPath());
  if (snap.ok() && snap->generation == generation) {
    index_.ResetSegments(std::move(snap->segments));
    from_snapshot_ = true;
    return Status::Ok();
  }
  std::vector<index::IndexItem> items;
  Status bad;
  NEEDLE_RETURN_IF_ERROR(store_.ForEachPdq([&](int64_t id, const std::string& hex) {
    auto h = hash::Hash256::FromHex(hex);
    if (!h || id < 0 || id > int64_t(UINT32_MAX)) {
      if (bad.ok()) bad = Corrupt("entry " + std::to_string(id) + " has an unusable PDQ value");
      return;
    }
    items.push_back({*h, static_cast<uint32_t>(id)});
  }));
  NEEDLE_RETURN_IF_ERROR(bad);
  index_.Reset(items);
  if (save) {
    Status st = index::WriteIndexFile(store_.IndexPath(), generation, index_.Segments());
    if (!st.ok()) std::fprintf(stderr, "needle: warning: index snapshot not saved: %s\n", st.ToString().c_str());
  }
  return Status::Ok();
}

Result<std::vector<Match>> Matcher::LookupPdq(const hash::Hash256& q, std::optional<int> quality) {
  int radius = -1;
  for (const auto& b : banks_)
    if (b.enabled) radius = std::max(radius, b.pdq_threshold);
  std::vector<Match> out;
  if (radius < 0) return out;
  std::vector<index::RangeHit> hits;
  index_.Search(q, radius, &hits);
  if (hits.empty()) return out;
  std::vector<int64_t> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  NEEDLE_ASSIGN_OR_RETURN(auto entries, store_.EntriesById(ids));
  for (auto& e : entries) {
    auto bank = std::find_if(banks_.begin(), banks_.end(), [&](const store::BankConfig& b) { return b.id == e.bank_id; });
    if (bank == banks_.end() || !bank->enabled || !e.record.pdq) continue;
    if (quality && *quality < bank->min_quality) continue;
    auto hit = std::find_if(hits.begin(), hits.end(), [&](const index::RangeHit& h) { return h.id == e.id; });
    if (hit == hits.end() || hit->distance > bank->pdq_threshold) continue;
    Match m;
    m.bank = bank->name;
    m.kind = bank->kind;
    m.entry_id = e.id;
    m.type = "pdq";
    m.value = *e.record.pdq;
    m.distance = hit->distance;
    m.threshold = bank->pdq_threshold;
    m.entry = std::move(e);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    return std::tie(a.distance, a.bank, a.entry_id) < std::tie(b.distance, b.bank, b.entry_id);
  });
  return out;
}

Result<std::vector<Match>> Matcher::LookupDigest(store::DigestType type, const std::string& hex) {
  NEEDLE_ASSIGN_OR_RETURN(auto entries, store_.LookupDigest(type, hex));
  std::vector<Match> out;
  for (auto& e : entries) {
    auto bank = std::find_if(banks_.begin(), banks_.end(), [&](const store::BankConfig& b) { return b.id == e.bank_id; });
    if (bank == banks_.end() || !bank->enabled) continue;
    Match m;
    m.bank = bank->name;
    m.kind = bank->kind;
    m.entry_id = e.id;
    m.type = DigestTypeName(type);
    m.value = hex;
    m.entry = std::move(e);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace needle::banks
