#include "banks/matcher.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "banks/entry_banks_file.h"
#include "index/index_file.h"

namespace needle::banks {

nlohmann::ordered_json MatchToJson(const Match& m) {
  nlohmann::ordered_json j{{"bank", m.bank}, {"bank_kind", store::BankKindName(m.kind)}, {"entry", m.entry_id},
                           {"type", m.type}, {"value", m.value}, {"distance", m.distance}};
  if (m.type == "pdq") j["threshold"] = m.threshold;
  if (m.differing) j["differing_bits"] = m.differing->ToHex();
  if (!m.variant.empty()) j["variant"] = m.variant;
  const auto& r = m.entry.record;
  if (!r.category.empty()) j["category"] = r.category;
  if (!r.series.empty()) j["series"] = r.series;
  if (!r.tags.empty()) j["tags"] = r.tags;
  if (r.ai_generated) j["ai_generated"] = *r.ai_generated;
  return j;
}

Result<std::unique_ptr<Matcher>> Matcher::Open(store::BankStore& store, bool save_snapshot, IndexMemory memory) {
  std::unique_ptr<Matcher> m(new Matcher(store));
  NEEDLE_RETURN_IF_ERROR(m->RefreshBanks());
  NEEDLE_RETURN_IF_ERROR(m->LoadIndex(save_snapshot, memory));
  return m;
}

Status Matcher::RefreshBanks() {
  NEEDLE_ASSIGN_OR_RETURN(auto banks, store_.ListBanks());
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    banks_ = std::move(banks);
  }
  return RefreshDisabled();
}

Status Matcher::RefreshDisabled() {
  NEEDLE_ASSIGN_OR_RETURN(auto disabled, store_.DisabledEntries(std::time(nullptr)));
  std::unique_lock<std::shared_mutex> lock(mu_);
  disabled_until_ = {disabled.begin(), disabled.end()};
  return Status::Ok();
}

bool Matcher::EntryDisabled(int64_t entry_id) const {
  if (disabled_until_.empty()) return false;
  auto it = disabled_until_.find(entry_id);
  return it != disabled_until_.end() && it->second > std::time(nullptr);
}

std::vector<store::BankConfig> Matcher::Banks() {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return banks_;
}

const store::BankConfig* Matcher::Admit(int64_t bank_id, int64_t entry_id, double coin,
                                        const std::vector<std::string>& only_banks, bool ignore_enabled) const {
  if (!ignore_enabled && EntryDisabled(entry_id)) return nullptr;
  auto b = std::find_if(banks_.begin(), banks_.end(), [&](const store::BankConfig& x) { return x.id == bank_id; });
  if (b == banks_.end()) return nullptr;
  if (!ignore_enabled && (!b->enabled || b->enabled_ratio < coin)) return nullptr;
  if (!only_banks.empty() && std::find(only_banks.begin(), only_banks.end(), b->name) == only_banks.end()) return nullptr;
  return &*b;
}

std::vector<Matcher::FastHit> Matcher::LookupPdqFast(const hash::Hash256& q, std::optional<int> quality, double coin,
                                                     const std::vector<std::string>& only_banks, bool ignore_enabled) {
  std::vector<FastHit> out;
  std::shared_lock<std::shared_mutex> lock(mu_);
  int radius = -1;
  for (const auto& b : banks_)
    if (b.enabled || ignore_enabled) radius = std::max(radius, b.pdq_threshold);
  if (radius < 0) return out;
  std::vector<index::RangeHit> hits;
  index_.Search(q, radius, &hits);
  for (const auto& h : hits) {
    const store::BankConfig* b = Admit(h.id < bank_of_entry_.size() ? bank_of_entry_[h.id] : 0, h.id, coin,
                                       only_banks, ignore_enabled);
    if (!b || h.distance > b->pdq_threshold || (quality && *quality < b->min_quality)) continue;
    out.push_back({b->id, b->name, int64_t(h.id), h.distance});
  }
  std::sort(out.begin(), out.end(), [](const FastHit& a, const FastHit& b) {
    return std::tie(a.distance, a.entry_id) < std::tie(b.distance, b.entry_id);
  });
  return out;
}

Result<std::vector<Matcher::FastHit>> Matcher::LookupDigestFast(store::DigestType type, const std::string& hex,
                                                                double coin, const std::vector<std::string>& only_banks,
                                                                bool ignore_enabled) {
  NEEDLE_ASSIGN_OR_RETURN(auto entries, store_.LookupDigest(type, hex));
  std::vector<FastHit> out;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& e : entries)
    if (const store::BankConfig* b = Admit(e.bank_id, e.id, coin, only_banks, ignore_enabled))
      out.push_back({b->id, b->name, e.id, 0});
  std::sort(out.begin(), out.end(), [](const FastHit& a, const FastHit& b) { return a.entry_id < b.entry_id; });
  return out;
}

void Matcher::AddLive(int64_t entry_id, int64_t bank_id, const hash::Hash256& code) {
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (size_t(entry_id) >= bank_of_entry_.size()) bank_of_entry_.resize(size_t(entry_id) + 1, 0);
    bank_of_entry_[size_t(entry_id)] = int32_t(bank_id);
  }
  index::IndexItem it{code, static_cast<uint32_t>(entry_id)};
  index_.Add({&it, 1});
}

void Matcher::RemoveLive(const std::vector<int64_t>& entry_ids) {
  // Only entries the index holds (those with a PDQ): a tombstone for any
  // other id would make the index undercount its live entries.
  std::vector<uint32_t> ids;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    for (auto id : entry_ids)
      if (id >= 0 && size_t(id) < bank_of_entry_.size() && bank_of_entry_[size_t(id)] != 0) {
        bank_of_entry_[size_t(id)] = 0;
        ids.push_back(static_cast<uint32_t>(id));
      }
  }
  if (!ids.empty()) index_.Remove(ids);
}

Status Matcher::LoadIndex(bool save, IndexMemory memory) {
  NEEDLE_ASSIGN_OR_RETURN(uint64_t generation, store_.Generation());
  auto snap = index::ReadIndexFile(store_.IndexPath());
  const bool snapshot_ok = snap.ok() && snap->generation == generation;
  if (snapshot_ok) {
    if (memory == IndexMemory::kResident)
      for (auto& seg : snap->segments) seg = seg->ResidentCopy();  // the mapping goes with the last view
    index_.ResetSegments(std::move(snap->segments));
    from_snapshot_ = true;
    // With the bank map saved beside it, the database need not be read.
    auto saved = ReadEntryBanks(store_.EntryBanksPath());
    if (saved.ok() && saved->generation == generation) {
      std::unique_lock<std::shared_mutex> lock(mu_);
      bank_of_entry_ = std::move(saved->bank_of);
      from_bank_map_ = true;
      return Status::Ok();
    }
  }
  std::vector<index::IndexItem> items;
  Status bad;
  EntryBanks map{generation, {}};
  NEEDLE_RETURN_IF_ERROR(store_.ForEachPdq([&](int64_t id, int64_t bank_id, const std::string& hex) {
    auto h = hash::Hash256::FromHex(hex);
    if (!h || id < 0 || id > int64_t(INT32_MAX)) {
      if (bad.ok()) bad = Corrupt("entry " + std::to_string(id) + " has an unusable PDQ value");
      return;
    }
    if (size_t(id) >= map.bank_of.size()) map.bank_of.resize(size_t(id) + 1, 0);
    map.bank_of[size_t(id)] = int32_t(bank_id);
    if (!snapshot_ok) items.push_back({*h, static_cast<uint32_t>(id)});
  }));
  NEEDLE_RETURN_IF_ERROR(bad);
  if (!snapshot_ok) index_.Reset(items);
  if (save) {
    Status st = snapshot_ok ? Status::Ok() : index::WriteIndexFile(store_.IndexPath(), generation, index_.Segments());
    if (st.ok()) st = WriteEntryBanks(store_.EntryBanksPath(), map);
    if (!st.ok()) std::fprintf(stderr, "needle: warning: index snapshot not saved: %s\n", st.ToString().c_str());
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  bank_of_entry_ = std::move(map.bank_of);
  return Status::Ok();
}

Result<std::vector<Match>> Matcher::LookupPdq(const hash::Hash256& q, std::optional<int> quality) {
  std::shared_lock<std::shared_mutex> lock(mu_);
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
    if (bank == banks_.end() || !bank->enabled || !e.record.pdq || EntryDisabled(e.id)) continue;
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
    if (auto h = hash::Hash256::FromHex(m.value)) {
      m.differing = q;
      for (size_t i = 0; i < 4; ++i) m.differing->limb[i] ^= h->limb[i];
    }
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
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<Match> out;
  for (auto& e : entries) {
    auto bank = std::find_if(banks_.begin(), banks_.end(), [&](const store::BankConfig& b) { return b.id == e.bank_id; });
    if (bank == banks_.end() || !bank->enabled || EntryDisabled(e.id)) continue;
    Match m;
    m.bank = bank->name;
    m.kind = bank->kind;
    m.entry_id = e.id;
    m.type = store::DigestTypeName(type);
    m.value = hex;
    m.entry = std::move(e);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace needle::banks
