#include "media/format.h"

#include <cstring>
#include <string_view>

namespace needle::media {

const char* FormatName(Format f) {
  switch (f) {
    case Format::kJpeg: return "jpeg";
    case Format::kPng: return "png";
    case Format::kWebp: return "webp";
    case Format::kGif: return "gif";
    case Format::kBmp: return "bmp";
    case Format::kTiff: return "tiff";
    case Format::kHeif: return "heif";
    case Format::kAvif: return "avif";
    case Format::kUnknown: break;
  }
  return "unknown";
}

namespace {

bool StartsWith(const uint8_t* d, size_t n, std::string_view magic, size_t at = 0) {
  return n >= at + magic.size() && std::memcmp(d + at, magic.data(), magic.size()) == 0;
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// ISO-BMFF: "ftyp" box first; classify by major and compatible brands.
Format SniffBmff(const uint8_t* d, size_t n, std::string* other) {
  if (!StartsWith(d, n, "ftyp", 4)) return Format::kUnknown;
  uint32_t box = Be32(d);
  size_t end = box < n ? box : n;
  bool heif = false, avif = false, video = false;
  for (size_t off = 8; off + 4 <= end; off += 4) {
    if (off == 12) continue;  // minor version
    std::string_view b(reinterpret_cast<const char*>(d + off), 4);
    if (b == "avif" || b == "avis") avif = true;
    else if (b == "heic" || b == "heix" || b == "hevc" || b == "hevx" || b == "heim" ||
             b == "heis" || b == "hevm" || b == "hevs" || b == "mif1" || b == "msf1")
      heif = true;
    else if (b == "isom" || b == "iso2" || b == "mp41" || b == "mp42" || b == "qt  " ||
             b == "M4V " || b == "3gp4" || b == "3gp5" || b == "avc1" || b == "dash")
      video = true;
  }
  std::string_view major(reinterpret_cast<const char*>(d + 8), n >= 12 ? 4 : 0);
  if (major == "avif" || major == "avis") return Format::kAvif;
  if (heif) return Format::kHeif;
  if (avif) return Format::kAvif;
  if (other && video) *other = "mp4";
  return Format::kUnknown;
}

bool LooksLikeBmp(const uint8_t* d, size_t n) {
  if (!StartsWith(d, n, "BM") || n < 18) return false;
  uint32_t dib = d[14] | (d[15] << 8) | (d[16] << 16) | (uint32_t(d[17]) << 24);
  return dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 ||
         dib == 108 || dib == 124;
}

}  // namespace

Format SniffFormat(const uint8_t* d, size_t n) {
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return Format::kJpeg;
  if (StartsWith(d, n, "\x89PNG\r\n\x1a\n")) return Format::kPng;
  if (StartsWith(d, n, "GIF87a") || StartsWith(d, n, "GIF89a")) return Format::kGif;
  if (StartsWith(d, n, "RIFF") && StartsWith(d, n, "WEBP", 8)) return Format::kWebp;
  if (StartsWith(d, n, std::string_view("II*\0", 4)) || StartsWith(d, n, std::string_view("MM\0*", 4)) ||
      StartsWith(d, n, std::string_view("II+\0", 4)) || StartsWith(d, n, std::string_view("MM\0+", 4)))
    return Format::kTiff;
  if (LooksLikeBmp(d, n)) return Format::kBmp;
  return SniffBmff(d, n, nullptr);
}

std::string SniffOtherKind(const uint8_t* d, size_t n) {
  std::string other;
  SniffBmff(d, n, &other);
  if (!other.empty()) return other;
  if (StartsWith(d, n, "%PDF-")) return "pdf";
  if (StartsWith(d, n, "PK\x03\x04")) return "zip";
  if (StartsWith(d, n, "\x1f\x8b")) return "gzip";
  if (StartsWith(d, n, "RIFF") && StartsWith(d, n, "AVI ", 8)) return "avi";
  if (StartsWith(d, n, "\x1a\x45\xdf\xa3")) return "matroska";
  if (StartsWith(d, n, "8BPS")) return "psd";
  if (n >= 2 && d[0] == 0xFF && d[1] == 0xD8) return "jpeg-fragment";
  return "unknown";
}

}  // namespace needle::media
