#include "media/exif_orientation.h"

#include <cstring>

namespace needle::media {
namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  bool le;
  bool U16(size_t off, uint16_t* v) const {
    if (off > n || n - off < 2) return false;
    *v = le ? uint16_t(p[off] | (p[off + 1] << 8)) : uint16_t((p[off] << 8) | p[off + 1]);
    return true;
  }
  bool U32(size_t off, uint32_t* v) const {
    if (off > n || n - off < 4) return false;
    *v = le ? (uint32_t(p[off]) | (uint32_t(p[off + 1]) << 8) | (uint32_t(p[off + 2]) << 16) |
               (uint32_t(p[off + 3]) << 24))
            : ((uint32_t(p[off]) << 24) | (uint32_t(p[off + 1]) << 16) | (uint32_t(p[off + 2]) << 8) |
               uint32_t(p[off + 3]));
    return true;
  }
};

}  // namespace

int ExifOrientationFromTiff(const uint8_t* tiff, size_t n) {
  if (n < 8) return 1;
  Reader r{tiff, n, false};
  if (tiff[0] == 'I' && tiff[1] == 'I') r.le = true;
  else if (!(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
  uint16_t magic;
  uint32_t ifd;
  if (!r.U16(2, &magic) || magic != 42 || !r.U32(4, &ifd)) return 1;
  uint16_t count;
  if (!r.U16(ifd, &count)) return 1;
  for (uint32_t i = 0; i < count; ++i) {
    size_t e = size_t(ifd) + 2 + size_t(i) * 12;
    uint16_t tag, type;
    if (!r.U16(e, &tag) || !r.U16(e + 2, &type)) return 1;
    if (tag != 0x0112) continue;
    uint16_t v = 0;
    if (type == 3) {  // SHORT, value inline
      if (!r.U16(e + 8, &v)) return 1;
    } else if (type == 4) {  // LONG (non-standard but seen)
      uint32_t l;
      if (!r.U32(e + 8, &l)) return 1;
      v = l > 8 ? 0 : uint16_t(l);
    }
    return (v >= 1 && v <= 8) ? v : 1;
  }
  return 1;
}

int ExifOrientation(const uint8_t* data, size_t n) {
  if (n >= 6 && std::memcmp(data, "Exif\0\0", 6) == 0) return ExifOrientationFromTiff(data + 6, n - 6);
  if (n >= 2 && (data[0] == 'I' || data[0] == 'M')) return ExifOrientationFromTiff(data, n);
  if (n >= 4) {
    // HEIF Exif item: big-endian offset to the TIFF header after the 4 bytes.
    uint32_t off = (uint32_t(data[0]) << 24) | (uint32_t(data[1]) << 16) | (uint32_t(data[2]) << 8) | data[3];
    if (off <= n - 4) {
      const uint8_t* t = data + 4 + off;
      size_t tn = n - 4 - off;
      if (tn >= 6 && std::memcmp(t, "Exif\0\0", 6) == 0) return ExifOrientationFromTiff(t + 6, tn - 6);
      return ExifOrientationFromTiff(t, tn);
    }
  }
  return 1;
}

}  // namespace needle::media
