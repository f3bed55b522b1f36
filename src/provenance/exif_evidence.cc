#include "provenance/exif_evidence.h"

#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp>  // not in exiv2.hpp in 0.27

#include <cmath>
#include <mutex>

#include "hash/pdq.h"
#include "media/decode.h"

namespace needle::provenance {
namespace {

// One key; exiv2 throws for key names its tables do not know.
std::string Value(const Exiv2::ExifData& d, const char* key) {
  try {
    auto it = d.findKey(Exiv2::ExifKey(key));
    if (it == d.end()) return "";
    std::string s = it->toString();
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
  } catch (...) {
    return "";
  }
}

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// exiv2 0.27 picks a parser by magic bytes, including its video parsers
// (QuickTime, RIFF AVI, Matroska, ASF), which are unmaintained upstream and
// allocate without bounds on hostile input (our fuzz smoke found a QuickTime
// `ftyp` box that asks for gigabytes). Only still-image parsers see evidence.
bool IsStillImageType(int type) {
  namespace T = Exiv2::ImageType;
  for (int ok : {T::jpeg, T::tiff, T::png, T::webp, T::bmff, T::gif, T::bmp, T::jp2, T::psd, T::cr2, T::crw, T::mrw,
                 T::orf, T::raf, T::rw2})
    if (type == ok) return true;
  return false;
}

}  // namespace

ExifEvidence ReadExifEvidence(const uint8_t* data, size_t n, const media::RgbImage* image) {
  static std::once_flag quiet;
  std::call_once(quiet, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::enableBMFF(true);  // HEIF/AVIF through the image parser, not the QuickTime one
  });
  ExifEvidence e;
  if (n == 0 || n > (size_t(1) << 31)) return e;
  try {
    const auto* bytes = reinterpret_cast<const Exiv2::byte*>(data);
    if (!IsStillImageType(Exiv2::ImageFactory::getType(bytes, long(n)))) return e;
    auto img = Exiv2::ImageFactory::open(bytes, long(n));
    if (!img.get()) return e;
    img->readMetadata();
    e.read = true;
    const Exiv2::ExifData& x = img->exifData();
    e.make = Value(x, "Exif.Image.Make");
    e.model = Value(x, "Exif.Image.Model");
    e.software = Value(x, "Exif.Image.Software");
    e.datetime = Value(x, "Exif.Image.DateTime");
    e.datetime_original = Value(x, "Exif.Photo.DateTimeOriginal");
    e.datetime_digitized = Value(x, "Exif.Photo.DateTimeDigitized");
    e.lens = Value(x, "Exif.Photo.LensModel");
    for (const char* k : {"Exif.Photo.BodySerialNumber", "Exif.Image.CameraSerialNumber", "Exif.Canon.SerialNumber",
                          "Exif.Nikon3.SerialNumber", "Exif.Olympus.SerialNumber", "Exif.OlympusEq.SerialNumber",
                          "Exif.Fujifilm.SerialNumber", "Exif.Pentax.SerialNumber", "Exif.Sony1.SerialNumber"}) {
      std::string v = Value(x, k);
      if (!v.empty()) {
        e.serial = v;
        break;
      }
    }
    e.makernote = !Value(x, "Exif.Photo.MakerNote").empty() || !Value(x, "Exif.MakerNote.Offset").empty();
    Exiv2::ExifThumbC thumb(x);
    Exiv2::DataBuf tb = thumb.copy();
    if (tb.size_ > 0 && tb.size_ < (16 << 20)) {
      e.thumbnail = true;
      media::DecodeOptions o;
      o.max_pixels = 4'000'000;
      auto td = media::Decode(tb.pData_, size_t(tb.size_), o);
      if (td.ok()) {
        e.thumb_width = td->image.width;
        e.thumb_height = td->image.height;
        if (image && image->width > 0 && image->height > 0) {
          double ar_t = double(e.thumb_width) / e.thumb_height, ar_i = double(image->width) / image->height;
          // Thumbnails may be letterboxed to 160x120; compare either way round.
          e.thumb_aspect_matches = std::fabs(ar_t - ar_i) < 0.05 || std::fabs(ar_t - 1.0 / ar_i) < 0.05 ||
                                   std::fabs(ar_t - 4.0 / 3.0) < 0.02;
          auto ht = hash::PdqFromRgb(td->image.rgb.data(), td->image.width, td->image.height, td->image.channels);
          auto hi = hash::PdqFromRgb(image->rgb.data(), image->width, image->height, image->channels);
          // Tiny thumbnails make PDQ noisy: compare only from 64 px up.
          if (ht.quality >= 50 && hi.quality >= 50 && std::fabs(ar_t - ar_i) < 0.05 &&
              std::min(e.thumb_width, e.thumb_height) >= 64)
            e.thumb_distance = hash::Distance(ht.hash, hi.hash);
        }
      }
    }
    const Exiv2::XmpData& xmp = img->xmpData();
    for (const auto& d : xmp) {
      const std::string key = d.key();
      if (key == "Xmp.xmp.CreatorTool") e.creator_tool = d.toString();
      if (key == "Xmp.iptcExt.DigitalSourceType") e.iptc_source_types.push_back(d.toString());
      if (key.rfind("Xmp.xmpMM.History[", 0) == 0 && Contains(key, "/stEvt:action")) ++e.xmp_history_steps;
    }
  } catch (const std::exception& ex) {
    e.error = ex.what();
  } catch (...) {
    e.error = "exiv2 failed";
  }
  return e;
}

std::vector<Finding> ExifFindings(const ExifEvidence& e) {
  std::vector<Finding> out;
  if (!e.read) return out;
  if (!e.make.empty() || !e.model.empty()) {
    Finding f;
    f.signal = "exif.camera";
    f.direction = Direction::kCamera;
    int traits = int(e.makernote) + int(!e.serial.empty()) + int(e.thumbnail && e.thumb_distance && *e.thumb_distance <= 24);
    f.strength = traits >= 2 ? Strength::kSupporting : Strength::kWeak;
    f.summary = "EXIF names a camera (" + e.make + (e.model.empty() ? "" : " " + e.model) + ")" +
                (e.makernote ? ", with a maker note" : "") + (e.serial.empty() ? "" : ", serial " + e.serial) +
                (traits >= 2 ? "; several camera traits agree, but EXIF can be copied." :
                               "; camera EXIF alone is weak evidence, it is easily copied.");
    f.details = ToJson(e);
    out.push_back(f);
  }
  // Unrelated pictures sit near 128 bits, re-encodes and tone changes of the
  // same picture well under 80: claim an edit only when it is clear.
  if (e.thumbnail && ((e.thumb_distance && *e.thumb_distance > 80) ||
                      (e.thumb_aspect_matches && !*e.thumb_aspect_matches))) {
    Finding f;
    f.signal = "exif.thumbnail";
    f.direction = Direction::kEdited;
    f.strength = Strength::kSupporting;
    f.summary = e.thumb_distance ? "The embedded EXIF thumbnail shows a different picture (PDQ distance " +
                                       std::to_string(*e.thumb_distance) +
                                       "): the image was changed after the thumbnail was written."
                                 : "The embedded EXIF thumbnail has a different shape from the image: it was cropped or "
                                   "changed after capture.";
    f.details = {{"thumbnail", {e.thumb_width, e.thumb_height}}};
    if (e.thumb_distance) f.details["pdq_distance"] = *e.thumb_distance;
    out.push_back(f);
  }
  static const char* kEditors[] = {"Photoshop", "GIMP", "Lightroom", "Affinity", "Pixelmator", "Snapseed", "paint.net",
                                   "Picasa"};
  for (const char* ed : kEditors)
    if (Contains(e.software, ed) || Contains(e.creator_tool, ed)) {
      Finding f;
      f.signal = "exif.software";
      f.direction = Direction::kEdited;
      f.strength = Strength::kWeak;
      f.summary = "Metadata records editing software (" + (e.software.empty() ? e.creator_tool : e.software) + ").";
      out.push_back(f);
      break;
    }
  static const char* kGenerators[] = {"Firefly", "Midjourney", "DALL", "Stable Diffusion", "Imagen", "Ideogram",
                                      "Leonardo", "NovelAI"};
  for (const char* g : kGenerators)
    if (Contains(e.creator_tool, g) || Contains(e.software, g)) {
      Finding f;
      f.signal = "metadata.creator_tool";
      f.direction = Direction::kSynthetic;
      f.strength = Strength::kStrong;
      f.summary = "Metadata names an image generator (" + (e.creator_tool.empty() ? e.software : e.creator_tool) +
                  "); strong, but metadata can be forged.";
      out.push_back(f);
      break;
    }
  return out;
}

nlohmann::ordered_json ToJson(const ExifEvidence& e) {
  nlohmann::ordered_json j;
  j["read"] = e.read;
  if (!e.error.empty()) j["error"] = e.error;
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  put("make", e.make);
  put("model", e.model);
  put("serial", e.serial);
  put("lens", e.lens);
  put("software", e.software);
  put("datetime", e.datetime);
  put("datetime_original", e.datetime_original);
  put("datetime_digitized", e.datetime_digitized);
  put("creator_tool", e.creator_tool);
  j["makernote"] = e.makernote;
  j["thumbnail"] = e.thumbnail;
  if (e.thumbnail) {
    j["thumbnail_size"] = {e.thumb_width, e.thumb_height};
    if (e.thumb_distance) j["thumbnail_pdq_distance"] = *e.thumb_distance;
  }
  if (!e.iptc_source_types.empty()) j["iptc_digital_source_types"] = e.iptc_source_types;
  if (e.xmp_history_steps) j["xmp_history_steps"] = e.xmp_history_steps;
  return j;
}

}  // namespace needle::provenance
