// A fast first look at a file's metadata, without decoding pixels: EXIF
// camera fields (Make, Model, Software), XMP/IPTC DigitalSourceType, PNG
// text chunks written by image generators (AUTOMATIC1111 `parameters`,
// ComfyUI `prompt`/`workflow`, InvokeAI, NovelAI, Fooocus), and whether a
// C2PA manifest store is embedded (APP11 JUMBF, PNG caBX, WebP C2PA, BMFF
// uuid). Bounds-checked; never allocates more than the file's own size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "provenance/finding.h"

namespace needle::provenance {

struct MetadataSummary {
  bool has_exif = false;
  std::string make, model, software, datetime_original;
  std::string user_comment;  // EXIF UserComment, decoded (ASCII or UTF-16), first 4 KB
  std::vector<std::string> digital_source_types;  // IPTC vocabulary terms, e.g. trainedAlgorithmicMedia
  std::map<std::string, std::string> png_text;    // key -> value (first 4 KB)
  std::string generator;                          // "AUTOMATIC1111", "ComfyUI", ... when recognised
  std::string generator_model;                    // e.g. "flux1" when a workflow names the model
  bool c2pa_present = false;
  bool xmp_present = false;
  // JPEG quantisation: the luminance table compared with the IJG/libjpeg
  // standard table at every quality. Software encoders (libjpeg, Pillow,
  // most generators' JPEG output) write an exactly scaled standard table;
  // many cameras write their own.
  int jpeg_tables = 0;
  bool jpeg_ijg_standard = false;
  int jpeg_quality = 0;  // exact IJG quality when standard, else an estimate; 0 = not a JPEG
};

MetadataSummary ProbeMetadata(const uint8_t* data, size_t n);

// Findings with direction and strength per provenance.md: generator
// metadata is strong (it can be forged, the summary says so), a
// DigitalSourceType is strong, camera EXIF alone is weak.
std::vector<Finding> MetadataFindings(const MetadataSummary& m);

nlohmann::ordered_json ToJson(const MetadataSummary& m);

}  // namespace needle::provenance
