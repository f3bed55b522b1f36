#include "provenance/inspector.h"

#include <cstdio>
#include <sstream>

#include "media/decode.h"
#include "media/evidence_file.h"

namespace needle::provenance {

std::vector<Finding> WatermarkFindings(const WatermarkResult& w) {
  std::vector<Finding> out;
  if (!w.checked || !w.present) return out;
  Finding f;
  f.signal = "watermark.dwtdct";
  f.direction = Direction::kSynthetic;
  f.strength = w.best.p_value < 1e-9 ? Strength::kDecisive : Strength::kStrong;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "An invisible Stable Diffusion watermark (%s, %d of %d bits, chance p = %.1e) is embedded: the image "
                "came from the reference %s pipeline or software imitating it.",
                w.best.scheme.c_str(), w.best.matched, w.best.total, w.best.p_value,
                w.best.scheme == "SDXL48" ? "SDXL" : w.best.scheme == "SDV2" ? "Stable Diffusion 2" : "Stable Diffusion 1");
  f.summary = buf;
  f.details = {{"scheme", w.best.scheme}, {"variant", w.best.variant}, {"matched_bits", w.best.matched},
               {"total_bits", w.best.total}, {"p_value", w.best.p_value}};
  out.push_back(f);
  return out;
}

InspectReport InspectBytes(const std::string& path, const std::string& sha256, const uint8_t* data, size_t n,
                           const media::RgbImage* decoded, const InspectOptions& o) {
  InspectReport r;
  r.path = path;
  r.sha256 = sha256;
  r.metadata = ProbeMetadata(data, n);
  r.c2pa = ReadC2pa(data, n, C2paOptions{o.trust_anchors});
  for (auto& f : C2paFindings(r.c2pa)) r.findings.push_back(f);
  r.exif = ReadExifEvidence(data, n, decoded);
  const bool exiv2_camera = r.exif.read && (!r.exif.make.empty() || !r.exif.model.empty());
  for (auto& f : MetadataFindings(r.metadata)) {
    if (f.signal == "c2pa.present") continue;               // the C2PA reader speaks for itself
    if (f.signal == "exif.camera" && exiv2_camera) continue;  // exiv2's reading is fuller
    r.findings.push_back(f);
  }
  for (auto& f : ExifFindings(r.exif)) r.findings.push_back(f);
  // The dwtDct mark does not survive JPEG at quality 90 or below
  // (provenance.md 4.1): skip the pixel work there and say why.
  if (o.watermark && decoded && r.metadata.jpeg_tables > 0 && r.metadata.jpeg_quality < 95) {
    r.watermark.reason = "JPEG quality " + std::to_string(r.metadata.jpeg_quality) +
                         ": an SD/SDXL dwtDct watermark cannot survive it, so it was not decoded";
  } else if (o.watermark && decoded) {
    r.watermark = DecodeDwtDct(*decoded);
    for (auto& f : WatermarkFindings(r.watermark)) r.findings.push_back(f);
  }
  return r;
}

InspectReport InspectFile(const std::string& path, const InspectOptions& o) {
  auto ev = media::ReadEvidence(path);
  if (!ev.ok()) {
    InspectReport r;
    r.path = path;
    r.error = ev.status();
    return r;
  }
  if (!ev->kept) {
    InspectReport r;
    r.path = path;
    r.sha256 = ev->digests.sha256;
    r.error = TooLarge("file too large to inspect in memory");
    return r;
  }
  auto d = media::Decode(ev->bytes.data(), ev->bytes.size(), {});
  return InspectBytes(path, ev->digests.sha256, ev->bytes.data(), ev->bytes.size(), d.ok() ? &d->image : nullptr, o);
}

nlohmann::ordered_json ToJson(const InspectReport& r) {
  nlohmann::ordered_json j;
  j["path"] = r.path;
  if (!r.sha256.empty()) j["sha256"] = r.sha256;
  if (!r.error.ok()) {
    j["error"] = std::string(CodeName(r.error.code()));
    j["message"] = r.error.message();
  }
  nlohmann::ordered_json fs = nlohmann::ordered_json::array();
  for (const auto& f : r.findings) fs.push_back(ToJson(f));
  j["findings"] = fs;
  j["c2pa"] = ToJson(r.c2pa);
  if (r.watermark.checked) {
    j["watermark"] = {{"scheme", r.watermark.best.scheme},       {"variant", r.watermark.best.variant},
                      {"matched_bits", r.watermark.best.matched}, {"total_bits", r.watermark.best.total},
                      {"p_value", r.watermark.best.p_value},      {"present", r.watermark.present}};
  } else {
    j["watermark"] = {{"checked", false}, {"reason", r.watermark.reason.empty() ? "not an image" : r.watermark.reason}};
  }
  j["metadata"] = ToJson(r.metadata);
  j["metadata"]["exiv2"] = ToJson(r.exif);
  return j;
}

std::string ToText(const InspectReport& r) {
  std::ostringstream s;
  s << r.path << "\n";
  if (!r.error.ok()) s << "  error: " << r.error.ToString() << "\n";
  if (r.findings.empty()) s << "  no provenance evidence either way\n";
  for (const auto& f : r.findings)
    s << "  [" << DirectionName(f.direction) << ", " << StrengthName(f.strength) << "] " << f.summary << "\n";
  return s.str();
}

}  // namespace needle::provenance
