#include "index/index_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/atomic_file.h"

namespace needle::index {
namespace {

constexpr char kMagic[8] = {'N', 'D', 'L', 'P', 'D', 'Q', 'X', '1'};
// 2: 11 tables of 23-24 bits, 32-bit entries; 3: the 23-bit tables' keys one
// bit narrower (every table keeps 24 - top_bits low bits), ids in 3 bytes
// when they fit.
constexpr uint32_t kVersion = 3;
constexpr size_t kAlign = 64;

size_t Align(size_t x) { return (x + kAlign - 1) & ~(kAlign - 1); }

struct Mapping {
  void* base = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (base) munmap(base, size);
  }
};

using util::WriteAll;
bool Pad(FILE* f) {
  static const char zeros[kAlign] = {};
  long pos = ftell(f);
  size_t pad = Align(size_t(pos)) - size_t(pos);
  return WriteAll(f, zeros, pad);
}

}  // namespace

Status WriteIndexFile(const std::string& path, uint64_t generation,
                      const std::vector<std::shared_ptr<const MihIndex>>& segments) {
  return util::WriteFileAtomically(path, [&](FILE* f) {
    bool ok = WriteAll(f, kMagic, 8);
    uint32_t v = kVersion, nseg = static_cast<uint32_t>(segments.size());
    ok = ok && WriteAll(f, &v, 4) && WriteAll(f, &nseg, 4) && WriteAll(f, &generation, 8) && Pad(f);
    for (const auto& seg : segments) {
      auto s = seg->sections();
      uint64_t n = s.codes.size(), top = uint64_t(s.top_bits);
      uint32_t id_base = s.id_base, id_bytes = uint32_t(s.id_bytes);
      ok = ok && WriteAll(f, &n, 8) && WriteAll(f, &top, 8) && WriteAll(f, &id_base, 4) &&
           WriteAll(f, &id_bytes, 4) && Pad(f);
      ok = ok && WriteAll(f, s.codes.data(), s.codes.size_bytes()) && Pad(f);
      ok = ok && WriteAll(f, s.ids.data(), s.ids.size_bytes()) && Pad(f);
      ok = ok && WriteAll(f, s.buckets.data(), s.buckets.size_bytes()) && Pad(f);
      ok = ok && WriteAll(f, s.low_bits.data(), s.low_bits.size_bytes()) && Pad(f);
      ok = ok && WriteAll(f, s.entries.data(), s.entries.size_bytes()) && Pad(f);
    }
    return ok;
  }, "the index snapshot");
}

Result<IndexSnapshot> ReadIndexFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? NotFound(path) : IoError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < 24) {
    ::close(fd);
    return Corrupt(path + ": index snapshot too short");
  }
  auto map = std::make_shared<Mapping>();
  map->size = size_t(st.st_size);
  map->base = mmap(nullptr, map->size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map->base == MAP_FAILED) {
    map->base = nullptr;
    return IoError(path + ": mmap failed");
  }
  const uint8_t* p = static_cast<const uint8_t*>(map->base);
  const size_t size = map->size;
  if (std::memcmp(p, kMagic, 8) != 0) return Corrupt(path + ": not a needle index snapshot");
  uint32_t version, nseg;
  IndexSnapshot snap;
  std::memcpy(&version, p + 8, 4);
  std::memcpy(&nseg, p + 12, 4);
  std::memcpy(&snap.generation, p + 16, 8);
  if (version != kVersion) return Corrupt(path + ": index snapshot version " + std::to_string(version));
  size_t off = Align(24);
  auto need = [&](size_t bytes) { return off <= size && bytes <= size - off; };
  for (uint32_t i = 0; i < nseg; ++i) {
    if (!need(24)) return Corrupt(path + ": truncated");
    uint64_t n, top;
    uint32_t id_base, id_bytes;
    std::memcpy(&n, p + off, 8);
    std::memcpy(&top, p + off + 8, 8);
    std::memcpy(&id_base, p + off + 16, 4);
    std::memcpy(&id_bytes, p + off + 20, 4);
    if (n > MihIndex::kMaxCodes) return Corrupt(path + ": segment too large");
    if (top < uint64_t(MihIndex::kMinTopBits) || top > uint64_t(MihIndex::kMaxTopBits))
      return Corrupt(path + ": bad bucket width");
    if (id_bytes != 3 && id_bytes != 4) return Corrupt(path + ": bad id width");
    off = Align(off + 24);
    MihIndex::Sections s;
    s.top_bits = int(top);
    s.id_base = id_base;
    s.id_bytes = int(id_bytes);
    if (!need(n * 32)) return Corrupt(path + ": truncated codes");
    s.codes = {reinterpret_cast<const hash::Hash256*>(p + off), n};
    off = Align(off + n * 32);
    const size_t idlen = MihIndex::IdsLen(n, s.id_bytes);
    if (!need(idlen)) return Corrupt(path + ": truncated ids");
    s.ids = {p + off, idlen};
    off = Align(off + idlen);
    const size_t blen = MihIndex::BucketsLen(s.top_bits);
    if (!need(blen * 4)) return Corrupt(path + ": truncated buckets");
    s.buckets = {reinterpret_cast<const uint32_t*>(p + off), blen};
    off = Align(off + blen * 4);
    const size_t llen = MihIndex::LowBitsLen(n);
    if (!need(llen)) return Corrupt(path + ": truncated low bits");
    s.low_bits = {p + off, llen};
    off = Align(off + llen);
    const size_t elen = MihIndex::EntriesLen(n);
    if (!need(elen * 4)) return Corrupt(path + ": truncated entries");
    s.entries = {reinterpret_cast<const uint32_t*>(p + off), elen};
    off = Align(off + elen * 4);
    // Offsets must be monotone and end at n, or Search would read outside;
    // every entry must name a position inside the segment (the padding is
    // never read as one); each bucket's occupancy must cover its entries'
    // low bits and its entries be sorted by them, or a search would miss a
    // match.
    for (int k = 0; k < MihIndex::kTables; ++k) {
      const size_t nb = size_t(1) << MihIndex::TableTopBits(s.top_bits, k);
      const uint32_t* b = s.buckets.data() + MihIndex::TableBucketsOffset(s.top_bits, k);
      if (b[0] != 0 || b[2 * nb] != n) return Corrupt(path + ": bad bucket offsets");
      const uint32_t* e = k > 0 ? s.entries.data() + size_t(k - 1) * n : nullptr;
      for (size_t i = 0; i < nb; ++i) {
        if (b[2 * i] > b[2 * i + 2]) return Corrupt(path + ": bad bucket offsets");
        uint32_t occupied = 0;
        for (uint32_t slot = b[2 * i]; slot < b[2 * i + 2]; ++slot) {
          if (e && (e[slot] >> 8) >= n) return Corrupt(path + ": bad entry");
          // Search walks to a low value from a guessed slot: entries out of
          // order would hide matches.
          if (e && slot > b[2 * i] && (e[slot] & 0xff) < (e[slot - 1] & 0xff))
            return Corrupt(path + ": bucket entries out of order");
          occupied |= MihIndex::OccupancyBit(e ? e[slot] & 0xff : s.low_bits[slot]);
        }
        if ((b[2 * i + 1] & occupied) != occupied) return Corrupt(path + ": bad bucket occupancy");
      }
    }
    snap.segments.push_back(MihIndex::FromSections(s, map));
  }
  if (off != size) return Corrupt(path + ": " + std::to_string(size - std::min(off, size)) + " unexpected trailing bytes or truncated");
  return snap;
}

}  // namespace needle::index
