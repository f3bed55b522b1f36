// PNG through libpng's classic API: the simplified API composes alpha onto a
// background, and the PDQ reference drops alpha instead.
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <png.h>

#include "media/decode.h"
#include "media/exif_orientation.h"

namespace needle::media {
namespace {

struct Source {
  const uint8_t* data;
  size_t n;
  size_t pos;
  bool overrun;  // libpng asked for bytes past the end: the file is truncated
  bool pixels_done;  // every row was read; only trailing chunks remained
  char message[256];
};

void ReadFn(png_structp png, png_bytep out, png_size_t len) {
  auto* src = static_cast<Source*>(png_get_io_ptr(png));
  if (len > src->n - src->pos) {
    src->overrun = true;
    png_error(png, "unexpected end of PNG data");
  }
  std::memcpy(out, src->data + src->pos, len);
  src->pos += len;
}

void ErrorFn(png_structp png, png_const_charp msg) {
  auto* src = static_cast<Source*>(png_get_io_ptr(png));
  if (src != nullptr) std::snprintf(src->message, sizeof src->message, "%s", msg);
  png_longjmp(png, 1);
}

void WarningFn(png_structp, png_const_charp) {}  // ancillary-chunk problems: ignored like Pillow

// Only trivially destructible locals after setjmp (see jpeg_decoder.cc).
bool RunLibpng(Source* src, const DecodeOptions& options, DecodedImage* out, Status* status) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, ErrorFn, WarningFn);
  if (png == nullptr) {
    *status = Internal("libpng could not allocate");
    return true;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    *status = Internal("libpng could not allocate");
    return true;
  }
  png_bytep row16 = nullptr;
  if (setjmp(png_jmpbuf(png))) {
    png_free(png, row16);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, src, ReadFn);
  png_set_chunk_malloc_max(png, 64u << 20);  // bound ancillary chunk allocations
  png_read_info(png, info);

  png_uint_32 w = 0, h = 0;
  int depth = 0, color = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, nullptr, nullptr);
  out->width = static_cast<int>(w);
  out->height = static_cast<int>(h);
  png_bytep exif = nullptr;
  png_uint_32 exif_len = 0;
  if (png_get_eXIf_1(png, info, &exif_len, &exif) != 0 && exif != nullptr)
    out->orientation = ExifOrientationFromTiff(exif, exif_len);

  *status = CheckDimensions(w, h, options);
  if (!status->ok()) {
    png_destroy_read_struct(&png, &info, nullptr);
    return true;
  }

  // 16-bit grey is clamped to 255 (Pillow "I;16" -> RGB); everything else
  // keeps the high byte of 16-bit samples (Pillow "RGB;16B" and friends).
  const bool grey16 = depth == 16 && color == PNG_COLOR_TYPE_GRAY;
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16 && !grey16) png_set_strip_16(png);
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  if (grey16) png_set_swap(png);  // native little-endian 16-bit for the clamp
  if (!grey16 && (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)) png_set_gray_to_rgb(png);
  // tRNS is never expanded into alpha: transparency is ignored, as in Pillow's RGB conversion.
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);

  out->image.width = static_cast<int>(w);
  out->image.height = static_cast<int>(h);
  out->image.rgb.resize(size_t(w) * h * 3);
  uint8_t* rgb = out->image.rgb.data();
  if (!grey16) {
    if (png_get_rowbytes(png, info) != size_t(w) * 3) png_error(png, "unexpected row size after transforms");
    for (int p = 0; p < passes; ++p)
      for (png_uint_32 y = 0; y < h; ++y) png_read_row(png, rgb + size_t(y) * w * 3, nullptr);
  } else {
    // Interlaced 16-bit grey: libpng needs the previous pass's row, so keep a
    // full 16-bit image only in that rare case; otherwise one row.
    size_t rows_kept = passes > 1 ? h : 1;
    row16 = static_cast<png_bytep>(png_malloc(png, rows_kept * size_t(w) * 2));
    std::memset(row16, 0, rows_kept * size_t(w) * 2);
    for (int p = 0; p < passes; ++p) {
      for (png_uint_32 y = 0; y < h; ++y) {
        png_bytep r = row16 + (passes > 1 ? size_t(y) * w * 2 : 0);
        png_read_row(png, r, nullptr);
        if (p + 1 < passes) continue;
        const uint16_t* s = reinterpret_cast<const uint16_t*>(r);
        uint8_t* d = rgb + size_t(y) * w * 3;
        for (png_uint_32 x = 0; x < w; ++x) {
          uint8_t v = s[x] > 255 ? 255 : static_cast<uint8_t>(s[x]);
          d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = v;
        }
      }
    }
    png_free(png, row16);
    row16 = nullptr;
  }
  src->pixels_done = true;
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

Result<DecodedImage> DecodePng(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kPng;
  Source src{data, n, 0, false, false, {0}};
  Status status;
  if (!RunLibpng(&src, options, &out, &status)) {
    // Every pixel was decoded; only what follows the image data (IEND, text
    // chunks) is missing or damaged. Keep the pixels and say so.
    if (src.pixels_done) {
      out.warnings.push_back(std::string("after the image data: ") + src.message);
      return out;
    }
    if (src.overrun) return Truncated("PNG data ends early (" + std::string(src.message) + ")");
    return Corrupt(std::string("PNG: ") + src.message);
  }
  if (!status.ok()) return status;
  return out;
}

}  // namespace needle::media
