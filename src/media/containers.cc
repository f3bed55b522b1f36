#include "media/containers.h"

namespace needle::media {
namespace {

uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

std::string_view Type(const uint8_t* p) { return {reinterpret_cast<const char*>(p), 4}; }

}  // namespace

void ForEachPngChunk(const uint8_t* d, size_t n, const ChunkFn& fn) {
  size_t p = 8;
  while (p + 12 <= n) {
    const uint32_t len = Be32(d + p);
    if (len > n - p - 12) return;
    const std::string_view type = Type(d + p + 4);
    if (!fn({type, d + p + 8, len, p}) || type == "IEND") return;
    p += 12 + size_t(len);
  }
}

void ForEachRiffChunk(const uint8_t* d, size_t n, const ChunkFn& fn) {
  size_t p = 12;
  while (p + 8 <= n) {
    const uint32_t len = d[p + 4] | (d[p + 5] << 8) | (d[p + 6] << 16) | (uint32_t(d[p + 7]) << 24);
    if (len > n - p - 8) return;
    if (!fn({Type(d + p), d + p + 8, len, p})) return;
    p += 8 + size_t(len) + (len & 1);
  }
}

void ForEachBmffBox(const uint8_t* d, size_t n, const ChunkFn& fn) {
  size_t p = 0;
  while (p + 8 <= n) {
    uint64_t len = Be32(d + p);
    size_t hdr = 8;
    if (len == 1) {
      if (p + 16 > n) return;
      len = (uint64_t(Be32(d + p + 8)) << 32) | Be32(d + p + 12);
      hdr = 16;
    } else if (len == 0) {
      len = n - p;
    }
    if (len < hdr || len > n - p) return;
    if (!fn({Type(d + p + 4), d + p + hdr, size_t(len) - hdr, p})) return;
    p += size_t(len);
  }
}

}  // namespace needle::media
