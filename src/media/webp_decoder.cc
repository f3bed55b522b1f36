// WebP through libwebp; animations give their first frame, EXIF through the
// demuxer for the orientation tag.
#include <cstring>

#include <webp/decode.h>
#include <webp/demux.h>

#include "media/decode.h"
#include "media/exif_orientation.h"

namespace needle::media {

Result<DecodedImage> DecodeWebp(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kWebp;
  WebPData wd{data, n};
  WebPDemuxState state;
  WebPDemuxer* demux = WebPDemuxPartial(&wd, &state);
  if (demux == nullptr || state == WEBP_DEMUX_PARSE_ERROR) {
    if (demux) WebPDemuxDelete(demux);
    return Corrupt("WebP container is malformed");
  }
  struct Closer {
    WebPDemuxer* d;
    ~Closer() { WebPDemuxDelete(d); }
  } closer{demux};
  if (state != WEBP_DEMUX_DONE) {
    // Headers parsed but data missing; the first frame may still be whole,
    // but evidence with missing bytes is reported as truncated.
    return Truncated("WebP data ends early");
  }
  out.width = static_cast<int>(WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH));
  out.height = static_cast<int>(WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT));
  WebPChunkIterator chunk;
  if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) {
    out.orientation = ExifOrientation(chunk.chunk.bytes, chunk.chunk.size);
    WebPDemuxReleaseChunkIterator(&chunk);
  }
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(out.width, out.height, options));

  WebPIterator frame;
  if (!WebPDemuxGetFrame(demux, 1, &frame)) return Corrupt("WebP has no frame");
  const uint8_t* fdata = frame.fragment.bytes;
  size_t fsize = frame.fragment.size;
  int fx = frame.x_offset, fy = frame.y_offset, fw = frame.width, fh = frame.height;
  WebPDemuxReleaseIterator(&frame);
  if (fx < 0 || fy < 0 || fw <= 0 || fh <= 0 || fx + fw > out.width || fy + fh > out.height)
    return Corrupt("WebP frame lies outside the canvas");

  // A first frame smaller than the canvas is placed on a black canvas
  // (alpha is dropped everywhere, so the background colour is not composed).
  out.image.width = out.width;
  out.image.height = out.height;
  out.image.rgb.assign(size_t(out.width) * out.height * 3, 0);
  uint8_t* dst = out.image.rgb.data() + (size_t(fy) * out.width + fx) * 3;
  const int stride = out.width * 3;
  if (WebPDecodeRGBInto(fdata, fsize, dst, out.image.rgb.size() - (dst - out.image.rgb.data()), stride) == nullptr)
    return Corrupt("WebP bitstream could not be decoded");
  return out;
}

}  // namespace needle::media
