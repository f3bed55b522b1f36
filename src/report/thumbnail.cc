#include "report/thumbnail.h"

#include <jpeglib.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "media/decode.h"
#include "media/evidence_file.h"

namespace needle::report {

std::string Base64(const std::string& in) {
  static const char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k[n >> 18], out += k[(n >> 12) & 63], out += k[(n >> 6) & 63], out += k[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += k[n >> 18], out += k[(n >> 12) & 63], out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += k[n >> 18], out += k[(n >> 12) & 63], out += k[(n >> 6) & 63], out += '=';
  }
  return out;
}

Result<std::string> ThumbnailDataUri(const std::string& path, int max_side) {
  NEEDLE_ASSIGN_OR_RETURN(std::string jpeg, ThumbnailJpeg(path, max_side));
  return "data:image/jpeg;base64," + Base64(jpeg);
}

Result<std::string> ThumbnailJpeg(const std::string& path, int max_side) {
  NEEDLE_ASSIGN_OR_RETURN(media::EvidenceFile ev, media::ReadEvidence(path));
  if (!ev.kept) return TooLarge("file too large for a thumbnail");
  media::DecodeOptions o;
  o.jpeg_min_short_side = max_side;
  NEEDLE_ASSIGN_OR_RETURN(media::DecodedImage d, media::Decode(ev.bytes.data(), ev.bytes.size(), o));
  const media::RgbImage& im = d.image;
  const int c = im.channels;
  const double scale = std::min(1.0, double(max_side) / std::max(im.width, im.height));
  const int w = std::max(1, int(im.width * scale)), h = std::max(1, int(im.height * scale));
  // Box-average downscale.
  std::vector<uint8_t> out(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    const int y0 = y * im.height / h, y1 = std::max(y0 + 1, (y + 1) * im.height / h);
    for (int x = 0; x < w; ++x) {
      const int x0 = x * im.width / w, x1 = std::max(x0 + 1, (x + 1) * im.width / w);
      uint32_t sum[3] = {0, 0, 0}, n = 0;
      for (int yy = y0; yy < y1; ++yy)
        for (int xx = x0; xx < x1; ++xx, ++n)
          for (int k = 0; k < 3; ++k) sum[k] += im.rgb[(size_t(yy) * im.width + xx) * c + (c == 1 ? 0 : k)];
      for (int k = 0; k < 3; ++k) out[(size_t(y) * w + x) * 3 + k] = static_cast<uint8_t>(sum[k] / n);
    }
  }
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buf, &size);
  cinfo.image_width = w;
  cinfo.image_height = h;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 70, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = &out[size_t(cinfo.next_scanline) * w * 3];
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string jpeg(reinterpret_cast<char*>(buf), size);
  jpeg_destroy_compress(&cinfo);
  std::free(buf);
  return jpeg;
}

}  // namespace needle::report
