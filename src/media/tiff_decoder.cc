// TIFF through libtiff's RGBA interface (every photometric, compression and
// bit depth libtiff knows). The raster is read in stored order (orientation
// recorded, not applied). Known difference from the colour policy:
// libtiff premultiplies unassociated alpha, so RGBA TIFFs are composed on
// black rather than having alpha dropped.
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <tiffio.h>

#include "media/decode.h"

namespace needle::media {
namespace {

struct MemFile {
  const uint8_t* data;
  size_t n;
  toff_t pos;
  bool overrun;
  char message[256];
};

tsize_t ReadProc(thandle_t h, tdata_t buf, tsize_t size) {
  auto* f = static_cast<MemFile*>(h);
  if (size < 0) return -1;
  if (f->pos >= f->n) {
    f->overrun = true;
    return 0;
  }
  size_t avail = f->n - f->pos;
  size_t take = size_t(size) < avail ? size_t(size) : avail;
  if (take < size_t(size)) f->overrun = true;
  std::memcpy(buf, f->data + f->pos, take);
  f->pos += take;
  return static_cast<tsize_t>(take);
}
tsize_t WriteProc(thandle_t, tdata_t, tsize_t) { return -1; }
toff_t SeekProc(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemFile*>(h);
  toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : f->n;
  f->pos = base + off;
  return f->pos;
}
int CloseProc(thandle_t) { return 0; }
toff_t SizeProc(thandle_t h) { return static_cast<MemFile*>(h)->n; }
int MapProc(thandle_t, tdata_t*, toff_t*) { return 0; }
void UnmapProc(thandle_t, tdata_t, toff_t) {}

int OnError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* f = static_cast<MemFile*>(user);
  if (f->message[0] == 0) {
    int k = std::snprintf(f->message, sizeof f->message, "%s: ", module ? module : "tiff");
    if (k > 0 && size_t(k) < sizeof f->message) std::vsnprintf(f->message + k, sizeof f->message - k, fmt, ap);
  }
  return 1;
}
int OnWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

Status Fail(const MemFile& f, const char* what) {
  std::string m = std::string("TIFF ") + what + (f.message[0] ? std::string(" (") + f.message + ")" : "");
  return f.overrun ? Truncated(m) : Corrupt(m);
}

}  // namespace

Result<DecodedImage> DecodeTiff(const uint8_t* data, size_t n, const DecodeOptions& options) {
  DecodedImage out;
  out.format = Format::kTiff;
  MemFile mf{data, n, 0, false, {0}};
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(opts, OnError, &mf);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, OnWarning, &mf);
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, tmsize_t(256) << 20);
  TIFF* tif = TIFFClientOpenExt("evidence", "rm", &mf, ReadProc, WriteProc, SeekProc, CloseProc, SizeProc,
                                MapProc, UnmapProc, opts);
  TIFFOpenOptionsFree(opts);
  if (tif == nullptr) return Fail(mf, "header");
  struct Closer {
    TIFF* t;
    ~Closer() { TIFFClose(t); }
  } closer{tif};

  uint32_t w = 0, h = 0;
  uint16_t orientation = 1;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &orientation);
  out.width = static_cast<int>(w);
  out.height = static_cast<int>(h);
  out.orientation = (orientation >= 1 && orientation <= 8) ? orientation : 1;
  NEEDLE_RETURN_IF_ERROR(CheckDimensions(w, h, options));

  char emsg[1024] = {0};
  if (!TIFFRGBAImageOK(tif, emsg)) return Unsupported(std::string("TIFF variant not supported: ") + emsg);
  TIFFRGBAImage img;
  if (!TIFFRGBAImageBegin(&img, tif, 0, emsg)) return Fail(mf, "setup");
  img.req_orientation = img.orientation;  // stored order: do not flip
  std::vector<uint32_t> raster(size_t(w) * h);
  int ok = TIFFRGBAImageGet(&img, raster.data(), w, h);
  TIFFRGBAImageEnd(&img);
  if (!ok || mf.message[0] != 0) return Fail(mf, "pixel data");
  out.image.width = static_cast<int>(w);
  out.image.height = static_cast<int>(h);
  out.image.rgb.resize(size_t(w) * h * 3);
  for (size_t i = 0; i < raster.size(); ++i) {
    out.image.rgb[3 * i] = static_cast<uint8_t>(TIFFGetR(raster[i]));
    out.image.rgb[3 * i + 1] = static_cast<uint8_t>(TIFFGetG(raster[i]));
    out.image.rgb[3 * i + 2] = static_cast<uint8_t>(TIFFGetB(raster[i]));
  }
  return out;
}

}  // namespace needle::media
