#include "index/live_index.h"

#include <algorithm>

#include "index/hamming.h"

namespace needle::index {
namespace {

std::vector<std::shared_ptr<const MihIndex>> BuildSegments(const std::vector<IndexItem>& items, size_t segment_size) {
  std::vector<std::shared_ptr<const MihIndex>> out;
  for (size_t b = 0; b < items.size(); b += segment_size) {
    size_t n = std::min(segment_size, items.size() - b);
    std::vector<hash::Hash256> codes(n);
    std::vector<uint32_t> ids(n);
    for (size_t i = 0; i < n; ++i) codes[i] = items[b + i].code, ids[i] = items[b + i].id;
    out.push_back(MihIndex::Build(codes, ids));
  }
  return out;
}

bool IsDeleted(const std::vector<uint32_t>& deleted, uint32_t id) {
  return std::binary_search(deleted.begin(), deleted.end(), id);
}

// The ids held by `segments`, sorted.
std::vector<uint32_t> IdsOf(const std::vector<std::shared_ptr<const MihIndex>>& segments) {
  std::vector<uint32_t> ids;
  for (const auto& seg : segments)
    for (size_t i = 0; i < seg->size(); ++i) ids.push_back(seg->IdAt(i));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Appends the (id, distance) of every code within `radius` among n codes,
// id_of(i) naming code i.
template <typename IdOf>
void ScanInto(const hash::Hash256& q, const hash::Hash256* codes, size_t n, int radius, IdOf id_of,
              std::vector<RangeHit>* out) {
  if (n == 0 || radius < 0) return;
  thread_local std::vector<uint32_t> idx;
  thread_local std::vector<uint16_t> dist;
  idx.resize(n);
  dist.resize(n);
  const size_t k = RangeScan(q, codes, n, radius, idx.data(), dist.data());
  for (size_t i = 0; i < k; ++i) out->push_back({id_of(idx[i]), dist[i]});
}

size_t ItemsOf(const std::vector<std::shared_ptr<const MihIndex>>& segments) {
  size_t n = 0;
  for (const auto& seg : segments) n += seg->size();
  return n;
}

}  // namespace

LiveIndex::LiveIndex(Options options) : options_(options) { current_ = Empty(); }

std::shared_ptr<LiveIndex::Snapshot> LiveIndex::Empty() {
  auto s = std::make_shared<Snapshot>();
  s->delta = std::make_shared<Delta>();
  s->deleted = std::make_shared<std::vector<uint32_t>>();
  return s;
}

std::shared_ptr<const LiveIndex::Snapshot> LiveIndex::Load() const { return std::atomic_load(&current_); }
void LiveIndex::Publish(std::shared_ptr<const Snapshot> s) { std::atomic_store(&current_, std::move(s)); }

void LiveIndex::Reset(std::span<const IndexItem> items) {
  std::lock_guard<std::mutex> lock(writer_);
  auto s = Empty();
  s->base = BuildSegments(std::vector<IndexItem>(items.begin(), items.end()), options_.segment_size);
  s->base_items = items.size();
  Publish(s);
}

void LiveIndex::ResetSegments(std::vector<std::shared_ptr<const MihIndex>> segments) {
  std::lock_guard<std::mutex> lock(writer_);
  auto s = Empty();
  s->base_items = ItemsOf(segments);
  s->base = std::move(segments);
  Publish(s);
}

void LiveIndex::LiveItemsOf(const Snapshot& s, const std::vector<std::shared_ptr<const MihIndex>>& segments,
                            std::vector<IndexItem>* out) {
  for (const auto& seg : segments) {
    auto sec = seg->sections();
    for (size_t i = 0; i < sec.codes.size(); ++i)
      if (!IsDeleted(*s.deleted, seg->IdAt(i))) out->push_back({sec.codes[i], seg->IdAt(i)});
  }
}

std::vector<IndexItem> LiveIndex::LiveItems(const Snapshot& s) {
  std::vector<IndexItem> items;
  items.reserve(s.base_items + s.side_items + s.delta->codes.size());
  LiveItemsOf(s, s.base, &items);
  LiveItemsOf(s, s.side, &items);
  for (size_t i = 0; i < s.delta->codes.size(); ++i) items.push_back({s.delta->codes[i], s.delta->ids[i]});
  return items;
}

std::shared_ptr<const LiveIndex::Snapshot> LiveIndex::Rebuilt(const Snapshot& s) const {
  auto items = LiveItems(s);
  auto n = Empty();
  n->base = BuildSegments(items, options_.segment_size);
  n->base_items = items.size();
  return n;
}

void LiveIndex::Add(std::span<const IndexItem> items) {
  std::lock_guard<std::mutex> lock(writer_);
  auto old = Load();
  auto s = std::make_shared<Snapshot>(*old);
  auto delta = std::make_shared<Delta>(*old->delta);
  for (const auto& it : items) delta->codes.push_back(it.code), delta->ids.push_back(it.id);
  s->delta = delta;
  // An id deleted earlier and added again (an entry whose hash changed) would
  // be hidden by its own tombstone: rebuild (the delta's copy is kept).
  bool revived = false;
  for (const auto& it : items) revived |= IsDeleted(*old->deleted, it.id);
  if (revived) return Publish(Rebuilt(*s));
  if (delta->codes.size() < options_.delta_limit) return Publish(s);
  // The delta joins the side, which is rebuilt without its deleted items
  // (and their tombstones), or, once it outgrows its share of the base,
  // everything is.
  std::vector<IndexItem> side;
  side.reserve(old->side_items + delta->codes.size());
  LiveItemsOf(*old, old->side, &side);
  for (size_t i = 0; i < delta->codes.size(); ++i) side.push_back({delta->codes[i], delta->ids[i]});
  if (side.size() > std::max(options_.side_min, s->base_items / std::max<size_t>(1, options_.side_divisor)))
    return Publish(Rebuilt(*s));
  const std::vector<uint32_t> side_ids = IdsOf(old->side);
  auto deleted = std::make_shared<std::vector<uint32_t>>();
  std::set_difference(old->deleted->begin(), old->deleted->end(), side_ids.begin(), side_ids.end(),
                      std::back_inserter(*deleted));
  s->side = BuildSegments(side, options_.segment_size);
  s->side_items = side.size();
  s->delta = std::make_shared<Delta>();
  s->deleted = deleted;
  Publish(s);
}

void LiveIndex::Remove(std::span<const uint32_t> ids) {
  std::lock_guard<std::mutex> lock(writer_);
  auto old = Load();
  auto s = std::make_shared<Snapshot>(*old);
  // Items still in the delta are simply dropped from it; the others get a
  // tombstone.
  std::vector<uint32_t> gone(ids.begin(), ids.end());
  std::sort(gone.begin(), gone.end());
  gone.erase(std::unique(gone.begin(), gone.end()), gone.end());  // an id named twice is one removal
  auto delta = std::make_shared<Delta>();
  for (size_t i = 0; i < old->delta->ids.size(); ++i) {
    const uint32_t id = old->delta->ids[i];
    auto at = std::lower_bound(gone.begin(), gone.end(), id);
    if (at != gone.end() && *at == id) {
      gone.erase(at);
      continue;
    }
    delta->codes.push_back(old->delta->codes[i]), delta->ids.push_back(id);
  }
  s->delta = delta;
  auto deleted = std::make_shared<std::vector<uint32_t>>();
  std::set_union(old->deleted->begin(), old->deleted->end(), gone.begin(), gone.end(), std::back_inserter(*deleted));
  s->deleted = deleted;
  if (deleted->size() * 4 > std::max<size_t>(s->base_items + s->side_items, 1024))
    s = std::const_pointer_cast<Snapshot>(Rebuilt(*s));
  Publish(s);
}

void LiveIndex::Compact() {
  std::lock_guard<std::mutex> lock(writer_);
  Publish(Rebuilt(*Load()));
}

void LiveIndex::Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const {
  auto s = Load();
  const size_t start = out->size();
  auto search = [&](const MihIndex& seg) {
    if (seg.size() >= options_.scan_below) return seg.Search(q, radius, out);
    ScanInto(q, seg.sections().codes.data(), seg.size(), radius, [&](uint32_t pos) { return seg.IdAt(pos); }, out);
  };
  for (const auto& seg : s->base) search(*seg);
  for (const auto& seg : s->side) search(*seg);
  if (!s->deleted->empty()) {
    auto keep = std::remove_if(out->begin() + static_cast<std::ptrdiff_t>(start), out->end(),
                               [&](const RangeHit& h) { return IsDeleted(*s->deleted, h.id); });
    out->erase(keep, out->end());
  }
  const Delta& delta = *s->delta;
  ScanInto(q, delta.codes.data(), delta.codes.size(), radius, [&](uint32_t i) { return delta.ids[i]; }, out);
}

LiveIndex::Stats LiveIndex::stats() const {
  auto s = Load();
  Stats st;
  st.segments = s->base.size() + s->side.size();
  st.side = s->side_items;
  st.delta = s->delta->codes.size();
  st.deleted = s->deleted->size();
  st.stored = s->base_items + s->side_items + st.delta;
  st.live = st.stored - st.deleted;
  for (const auto* part : {&s->base, &s->side})
    for (const auto& seg : *part) st.index_bytes += seg->IndexBytes();
  return st;
}

std::vector<std::shared_ptr<const MihIndex>> LiveIndex::Segments() const {
  auto s = Load();
  auto all = s->base;
  all.insert(all.end(), s->side.begin(), s->side.end());
  return all;
}

}  // namespace needle::index
