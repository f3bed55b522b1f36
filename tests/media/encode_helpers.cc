#include "media/encode_helpers.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

#include <gif_lib.h>
#include <jpeglib.h>
#include <libheif/heif.h>
#include <png.h>
#include <tiffio.h>
#include <unistd.h>
#include <webp/encode.h>

#include "media/decode.h"
#include "test_support.h"

namespace needle::testing {

Pixels Pattern(int width, int height, int channels, uint32_t seed) {
  Pixels p{width, height, channels, {}};
  p.data.resize(size_t(width) * height * channels);
  std::mt19937 rng(seed);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        int v = ((x * 7 + y * 3) ^ (x * y / 9)) + c * 40 + int(rng() % 16);
        p.data[(size_t(y) * width + x) * channels + c] = static_cast<uint8_t>(v);
      }
  return p;
}

std::vector<uint8_t> ExpectedRgb(const Pixels& p) {
  std::vector<uint8_t> out(size_t(p.width) * p.height * 3);
  for (size_t i = 0; i < size_t(p.width) * p.height; ++i) {
    const uint8_t* s = &p.data[i * p.channels];
    if (p.channels <= 2) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = s[0];
    else std::memcpy(&out[3 * i], s, 3);
  }
  return out;
}

namespace {
void PngWrite(png_structp png, png_bytep data, png_size_t len) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + len);
}
void PngFlush(png_structp) {}
}  // namespace

std::vector<uint8_t> EncodePng(const Pixels& p, bool interlaced) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, PngWrite, PngFlush);
  int ct = p.channels == 1 ? PNG_COLOR_TYPE_GRAY
           : p.channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
           : p.channels == 3 ? PNG_COLOR_TYPE_RGB
                             : PNG_COLOR_TYPE_RGB_ALPHA;
  png_set_IHDR(png, info, p.width, p.height, 8, ct, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_bytep> rows(p.height);
  for (int y = 0; y < p.height; ++y) rows[y] = const_cast<png_bytep>(&p.data[size_t(y) * p.width * p.channels]);
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::vector<uint8_t> EncodePng16Grey(int width, int height, const std::vector<uint16_t>& values) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, PngWrite, PngFlush);
  png_set_IHDR(png, info, width, height, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  std::vector<uint8_t> be(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) be[2 * i] = values[i] >> 8, be[2 * i + 1] = values[i] & 255;
  std::vector<png_bytep> rows(height);
  for (int y = 0; y < height; ++y) rows[y] = &be[size_t(y) * width * 2];
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::vector<uint8_t> EncodeJpeg(const Pixels& p, int quality, int orientation, bool progressive) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = p.width;
  c.image_height = p.height;
  c.input_components = p.channels == 1 ? 1 : 3;
  c.in_color_space = p.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  if (progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  if (orientation > 0) {
    // Minimal big-endian EXIF: IFD0 with one Orientation entry.
    uint8_t exif[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, static_cast<uint8_t>(orientation), 0, 0, 0, 0, 0, 0};
    jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
  }
  std::vector<uint8_t> rgb = p.channels == 1 ? p.data : ExpectedRgb(p);
  const int stride = p.width * c.input_components;
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = &rgb[size_t(c.next_scanline) * stride];
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> out(buf, buf + size);
  jpeg_destroy_compress(&c);
  free(buf);
  return out;
}

std::vector<uint8_t> EncodeWebpLossless(const Pixels& p) {
  std::vector<uint8_t> rgb = ExpectedRgb(p);
  uint8_t* out = nullptr;
  size_t n = WebPEncodeLosslessRGB(rgb.data(), p.width, p.height, p.width * 3, &out);
  std::vector<uint8_t> v(out, out + n);
  WebPFree(out);
  return v;
}

namespace {
int GifWrite(GifFileType* g, const GifByteType* data, int len) {
  auto* out = static_cast<std::vector<uint8_t>*>(g->UserData);
  out->insert(out->end(), data, data + len);
  return len;
}
}  // namespace

std::vector<uint8_t> EncodeGif(const Pixels& p, bool interlaced) {
  std::vector<uint8_t> out;
  int err = 0;
  GifFileType* g = EGifOpen(&out, GifWrite, &err);
  GifColorType colors[256];
  for (int i = 0; i < 256; ++i) colors[i] = {GifByteType(i), GifByteType(i), GifByteType(i)};
  ColorMapObject* cmap = GifMakeMapObject(256, colors);
  EGifSetGifVersion(g, true);
  EGifPutScreenDesc(g, p.width, p.height, 8, 0, cmap);
  EGifPutImageDesc(g, 0, 0, p.width, p.height, interlaced, nullptr);
  std::vector<GifPixelType> line(p.width);
  auto row_of = [&](int y) {
    for (int x = 0; x < p.width; ++x) line[x] = p.data[(size_t(y) * p.width + x) * p.channels];
    EGifPutLine(g, line.data(), p.width);
  };
  if (interlaced) {
    static const int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass)
      for (int y = kStart[pass]; y < p.height; y += kStep[pass]) row_of(y);
  } else {
    for (int y = 0; y < p.height; ++y) row_of(y);
  }
  EGifCloseFile(g, &err);
  GifFreeMapObject(cmap);
  return out;
}

std::vector<uint8_t> EncodeBmp24(const Pixels& p) {
  const int row = (p.width * 3 + 3) & ~3;
  const uint32_t data_size = uint32_t(row) * p.height, file_size = 54 + data_size;
  std::vector<uint8_t> out(file_size, 0);
  auto le32 = [&](size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[off + i] = (v >> (8 * i)) & 255;
  };
  out[0] = 'B';
  out[1] = 'M';
  le32(2, file_size);
  le32(10, 54);
  le32(14, 40);
  le32(18, p.width);
  le32(22, p.height);  // positive: bottom-up
  out[26] = 1;
  out[28] = 24;
  le32(34, data_size);
  std::vector<uint8_t> rgb = ExpectedRgb(p);
  for (int y = 0; y < p.height; ++y) {
    const uint8_t* s = &rgb[size_t(p.height - 1 - y) * p.width * 3];
    uint8_t* d = &out[54 + size_t(y) * row];
    for (int x = 0; x < p.width; ++x) d[3 * x] = s[3 * x + 2], d[3 * x + 1] = s[3 * x + 1], d[3 * x + 2] = s[3 * x];
  }
  return out;
}

std::vector<uint8_t> EncodeTiff(const Pixels& p) {
  TempDir t;
  std::string path = t.File("x.tif");
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, p.width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, p.height);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16);
  std::vector<uint8_t> rgb = ExpectedRgb(p);
  for (int y = 0; y < p.height; ++y) TIFFWriteScanline(tif, &rgb[size_t(y) * p.width * 3], y, 0);
  TIFFClose(tif);
  return ReadFile(path);
}

namespace {
heif_error HeifWrite(heif_context*, const void* data, size_t size, void* user) {
  auto* out = static_cast<std::vector<uint8_t>*>(user);
  out->insert(out->end(), static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, ""};
}
}  // namespace

std::vector<uint8_t> EncodeHeif(const Pixels& p, bool avif) {
  heif_context* ctx = heif_context_alloc();
  heif_encoder* enc = nullptr;
  if (heif_context_get_encoder_for_format(ctx, avif ? heif_compression_AV1 : heif_compression_HEVC, &enc).code !=
      heif_error_Ok) {
    heif_context_free(ctx);
    return {};
  }
  heif_encoder_set_lossy_quality(enc, 90);
  heif_image* img = nullptr;
  heif_image_create(p.width, p.height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img);
  heif_image_add_plane(img, heif_channel_interleaved, p.width, p.height, 8);
  int stride = 0;
  uint8_t* dst = heif_image_get_plane(img, heif_channel_interleaved, &stride);
  std::vector<uint8_t> rgb = ExpectedRgb(p);
  for (int y = 0; y < p.height; ++y) std::memcpy(dst + size_t(y) * stride, &rgb[size_t(y) * p.width * 3], p.width * 3);
  heif_context_encode_image(ctx, img, enc, nullptr, nullptr);
  std::vector<uint8_t> out;
  heif_writer w{1, HeifWrite};
  heif_context_write(ctx, &w, &out);
  heif_image_release(img);
  heif_encoder_release(enc);
  heif_context_free(ctx);
  return out;
}

Pixels Rotated90(const Pixels& p) {
  Pixels r;
  r.width = p.height;
  r.height = p.width;
  r.channels = p.channels;
  r.data.resize(p.data.size());
  const size_t c = size_t(p.channels);
  // Counter-clockwise: the top-right corner becomes the top-left one.
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x)
      std::copy_n(&p.data[(size_t(y) * size_t(p.width) + size_t(x)) * c], c,
                  &r.data[(size_t(p.width - 1 - x) * size_t(r.width) + size_t(y)) * c]);
  return r;
}

Pixels DecodePixels(const std::vector<uint8_t>& bytes) {
  Pixels p;
  auto d = media::Decode(bytes.data(), bytes.size(), {});
  if (!d.ok()) return p;
  p.width = d->image.width;
  p.height = d->image.height;
  p.channels = d->image.channels;
  p.data = std::move(d->image.rgb);
  return p;
}

}  // namespace needle::testing
