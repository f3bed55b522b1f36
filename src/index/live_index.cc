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

}  // namespace

LiveIndex::LiveIndex(Options options) : options_(options) {
  auto s = std::make_shared<Snapshot>();
  s->delta = std::make_shared<std::vector<IndexItem>>();
  s->deleted = std::make_shared<std::vector<uint32_t>>();
  current_ = s;
}

std::shared_ptr<const LiveIndex::Snapshot> LiveIndex::Load() const { return std::atomic_load(&current_); }
void LiveIndex::Publish(std::shared_ptr<const Snapshot> s) { std::atomic_store(&current_, std::move(s)); }

void LiveIndex::Reset(std::span<const IndexItem> items) {
  std::lock_guard<std::mutex> lock(writer_);
  auto s = std::make_shared<Snapshot>();
  s->segments = BuildSegments(std::vector<IndexItem>(items.begin(), items.end()), options_.segment_size);
  s->segment_items = items.size();
  s->delta = std::make_shared<std::vector<IndexItem>>();
  s->deleted = std::make_shared<std::vector<uint32_t>>();
  Publish(s);
}

void LiveIndex::ResetSegments(std::vector<std::shared_ptr<const MihIndex>> segments) {
  std::lock_guard<std::mutex> lock(writer_);
  auto s = std::make_shared<Snapshot>();
  for (auto& seg : segments) s->segment_items += seg->size();
  s->segments = std::move(segments);
  s->delta = std::make_shared<std::vector<IndexItem>>();
  s->deleted = std::make_shared<std::vector<uint32_t>>();
  Publish(s);
}

std::vector<IndexItem> LiveIndex::LiveItems(const Snapshot& s) {
  std::vector<IndexItem> items;
  items.reserve(s.segment_items + s.delta->size());
  for (const auto& seg : s.segments) {
    auto sec = seg->sections();
    for (size_t i = 0; i < sec.codes.size(); ++i)
      if (!IsDeleted(*s.deleted, seg->IdAt(i))) items.push_back({sec.codes[i], seg->IdAt(i)});
  }
  items.insert(items.end(), s.delta->begin(), s.delta->end());
  return items;
}

std::shared_ptr<const LiveIndex::Snapshot> LiveIndex::Rebuilt(const Snapshot& s) const {
  auto items = LiveItems(s);
  auto n = std::make_shared<Snapshot>();
  n->segments = BuildSegments(items, options_.segment_size);
  n->segment_items = items.size();
  n->delta = std::make_shared<std::vector<IndexItem>>();
  n->deleted = std::make_shared<std::vector<uint32_t>>();
  return n;
}

void LiveIndex::Add(std::span<const IndexItem> items) {
  std::lock_guard<std::mutex> lock(writer_);
  auto old = Load();
  auto s = std::make_shared<Snapshot>(*old);
  auto delta = std::make_shared<std::vector<IndexItem>>(*old->delta);
  delta->insert(delta->end(), items.begin(), items.end());
  s->delta = delta;
  // An id deleted earlier and added again (an entry whose hash changed) would
  // be hidden by its own tombstone once the delta became a segment: rebuild.
  bool revived = false;
  for (const auto& it : items) revived |= IsDeleted(*old->deleted, it.id);
  if (revived) {
    std::vector<IndexItem> all = LiveItems(*old);  // tombstoned copies excluded
    all.insert(all.end(), items.begin(), items.end());
    auto r = std::make_shared<Snapshot>();
    r->segments = BuildSegments(all, options_.segment_size);
    r->segment_items = all.size();
    r->delta = std::make_shared<std::vector<IndexItem>>();
    r->deleted = std::make_shared<std::vector<uint32_t>>();
    Publish(r);
    return;
  }
  if (delta->size() >= options_.delta_limit) {
    // The delta becomes a segment of its own: no rebuild of the others.
    auto segs = BuildSegments(*delta, options_.segment_size);
    for (auto& seg : segs) s->segments.push_back(seg), s->segment_items += seg->size();
    s->delta = std::make_shared<std::vector<IndexItem>>();
    if (s->segments.size() > options_.max_segments) s = std::const_pointer_cast<Snapshot>(Rebuilt(*s));
  }
  Publish(s);
}

void LiveIndex::Remove(std::span<const uint32_t> ids) {
  std::lock_guard<std::mutex> lock(writer_);
  auto old = Load();
  auto s = std::make_shared<Snapshot>(*old);
  // Items still in the delta are simply dropped from it.
  std::vector<uint32_t> gone(ids.begin(), ids.end());
  std::sort(gone.begin(), gone.end());
  auto delta = std::make_shared<std::vector<IndexItem>>();
  delta->reserve(old->delta->size());
  for (const auto& it : *old->delta)
    if (!std::binary_search(gone.begin(), gone.end(), it.id)) delta->push_back(it);
  s->delta = delta;
  auto deleted = std::make_shared<std::vector<uint32_t>>();
  std::set_union(old->deleted->begin(), old->deleted->end(), gone.begin(), gone.end(), std::back_inserter(*deleted));
  s->deleted = deleted;
  if (deleted->size() * 4 > std::max<size_t>(s->segment_items, 1024)) s = std::const_pointer_cast<Snapshot>(Rebuilt(*s));
  Publish(s);
}

void LiveIndex::Compact() {
  std::lock_guard<std::mutex> lock(writer_);
  Publish(Rebuilt(*Load()));
}

void LiveIndex::Search(const hash::Hash256& q, int radius, std::vector<RangeHit>* out) const {
  auto s = Load();
  const size_t start = out->size();
  for (const auto& seg : s->segments) seg->Search(q, radius, out);
  if (!s->deleted->empty()) {
    auto keep = std::remove_if(out->begin() + static_cast<std::ptrdiff_t>(start), out->end(),
                               [&](const RangeHit& h) { return IsDeleted(*s->deleted, h.id); });
    out->erase(keep, out->end());
  }
  const auto& delta = *s->delta;
  for (const auto& it : delta) {
    int d = DistancePopcnt(q, it.code);
    if (d <= radius) out->push_back({it.id, static_cast<uint16_t>(d)});
  }
}

LiveIndex::Stats LiveIndex::stats() const {
  auto s = Load();
  Stats st;
  st.segments = s->segments.size();
  st.delta = s->delta->size();
  st.deleted = s->deleted->size();
  st.stored = s->segment_items + st.delta;
  st.live = st.stored - st.deleted;
  for (const auto& seg : s->segments) st.index_bytes += seg->IndexBytes();
  return st;
}

std::vector<std::shared_ptr<const MihIndex>> LiveIndex::Segments() const { return Load()->segments; }

}  // namespace needle::index
