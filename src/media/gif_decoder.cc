// GIF through giflib: the first frame, placed on the logical screen filled
// with the background colour, palette looked up, transparency ignored (the
// colour policy drops alpha).
#include <cstring>
#include <vector>

#include <gif_lib.h>

#include "media/decode.h"

namespace needle::media {
namespace {

struct MemSource {
  const uint8_t* data;
  size_t n;
  size_t pos;
  bool overrun;
};

int ReadFn(GifFileType* gif, GifByteType* buf, int len) {
  auto* src = static_cast<MemSource*>(gif->UserData);
  size_t avail = src->n - src->pos;
  size_t take = size_t(len) < avail ? size_t(len) : avail;
  if (take < size_t(len)) src->overrun = true;
  std::memcpy(buf, src->data + src->pos, take);
  src->pos += take;
  return static_cast<int>(take);
}

Status GifError(const MemSource& src, int code, const char* what) {
  const char* msg = GifErrorString(code);
  std::string m = std::string("GIF ") + what + ": " + (msg ? msg : "error");
  if (src.overrun) return Truncated(m);
  return Corrupt(m);
}

}  // namespace

Result<DecodedImage> DecodeGif(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kGif;
  MemSource src{data, n, 0, false};
  int err = 0;
  GifFileType* gif = DGifOpen(&src, ReadFn, &err);
  if (gif == nullptr) return GifError(src, err, "header");
  struct Closer {
    GifFileType* g;
    ~Closer() { int e; DGifCloseFile(g, &e); }
  } closer{gif};

  out.width = gif->SWidth;
  out.height = gif->SHeight;
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(out.width, out.height, options));

  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return GifError(src, gif->Error, "record");
    if (type == TERMINATE_RECORD_TYPE) return Corrupt("GIF has no image");
    if (type == EXTENSION_RECORD_TYPE) {
      int code;
      GifByteType* ext;
      if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) return GifError(src, gif->Error, "extension");
      while (ext != nullptr)
        if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) return GifError(src, gif->Error, "extension");
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif) == GIF_ERROR) return GifError(src, gif->Error, "image descriptor");
    break;
  }

  const GifImageDesc& d = gif->Image;
  const ColorMapObject* cmap = d.ColorMap ? d.ColorMap : gif->SColorMap;
  if (cmap == nullptr) return Corrupt("GIF has no colour map");
  if (d.Width <= 0 || d.Height <= 0 || d.Width > (1 << 16) || d.Height > (1 << 16))
    return Corrupt("GIF frame has impossible dimensions");

  out.image.width = out.width;
  out.image.height = out.height;
  out.image.rgb.assign(size_t(out.width) * out.height * 3, 0);
  if (gif->SColorMap && gif->SBackGroundColor < gif->SColorMap->ColorCount) {
    GifColorType bg = gif->SColorMap->Colors[gif->SBackGroundColor];
    for (size_t i = 0; i < out.image.rgb.size(); i += 3) {
      out.image.rgb[i] = bg.Red;
      out.image.rgb[i + 1] = bg.Green;
      out.image.rgb[i + 2] = bg.Blue;
    }
  }

  std::vector<GifPixelType> line(static_cast<size_t>(d.Width));
  auto put_row = [&](int y) {
    int sy = d.Top + y;
    if (sy < 0 || sy >= out.height) return;
    uint8_t* dst = out.image.rgb.data() + size_t(sy) * out.width * 3;
    for (int x = 0; x < d.Width; ++x) {
      int sx = d.Left + x;
      if (sx < 0 || sx >= out.width) continue;
      int idx = line[x] < cmap->ColorCount ? line[x] : 0;
      dst[3 * sx] = cmap->Colors[idx].Red;
      dst[3 * sx + 1] = cmap->Colors[idx].Green;
      dst[3 * sx + 2] = cmap->Colors[idx].Blue;
    }
  };
  if (d.Interlace) {
    static const int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass)
      for (int y = kStart[pass]; y < d.Height; y += kStep[pass]) {
        if (DGifGetLine(gif, line.data(), d.Width) == GIF_ERROR) return GifError(src, gif->Error, "pixel data");
        put_row(y);
      }
  } else {
    for (int y = 0; y < d.Height; ++y) {
      if (DGifGetLine(gif, line.data(), d.Width) == GIF_ERROR) return GifError(src, gif->Error, "pixel data");
      put_row(y);
    }
  }
  return out;
}

}  // namespace needle::media
