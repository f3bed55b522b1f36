// needle inspect: every provenance signal of one file, as findings a person
// reads. Signals: C2PA content credentials (c2pa_reader.h), metadata
// (metadata_probe.h), the SD/SDXL invisible watermark (dwtdct_watermark.h).
// Works on bytes already read (the scan shares them).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "media/image.h"
#include "needle/status.h"
#include "provenance/c2pa_reader.h"
#include "provenance/dwtdct_watermark.h"
#include "provenance/exif_evidence.h"
#include "provenance/finding.h"
#include "provenance/metadata_probe.h"

namespace needle::provenance {

struct InspectOptions {
  std::string trust_anchors;  // PEM file; empty = no anchor is trusted
  bool watermark = true;
};

struct InspectReport {
  std::string path, sha256;
  MetadataSummary metadata;
  ExifEvidence exif;
  C2paReport c2pa;
  WatermarkResult watermark;
  std::vector<Finding> findings;
  Status error;  // reading failed (the other fields may be partial)
};

// `decoded` may be null: the watermark check is then skipped.
InspectReport InspectBytes(const std::string& path, const std::string& sha256, const uint8_t* data, size_t n,
                           const media::RgbImage* decoded, const InspectOptions& options);
InspectReport InspectFile(const std::string& path, const InspectOptions& options);

nlohmann::ordered_json ToJson(const InspectReport& r);
std::string ToText(const InspectReport& r);

std::vector<Finding> WatermarkFindings(const WatermarkResult& w);

}  // namespace needle::provenance
