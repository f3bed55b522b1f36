// Camera and editing evidence from EXIF, XMP and IPTC, read with exiv2:
// make/model/serial numbers, MakerNote presence, the embedded thumbnail and
// whether it still shows the same picture (PDQ distance), timestamps, the
// software and XMP creator tool. exiv2's exceptions stop here.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "media/image.h"
#include "provenance/finding.h"

namespace needle::provenance {

struct ExifEvidence {
  bool read = false;
  std::string error;
  std::string make, model, software, serial, lens;
  std::string datetime, datetime_original, datetime_digitized;
  bool makernote = false;
  bool thumbnail = false;
  int thumb_width = 0, thumb_height = 0;
  std::optional<int> thumb_distance;  // PDQ distance thumbnail vs image (both quality >= 50)
  std::optional<bool> thumb_aspect_matches;
  std::string creator_tool;           // XMP xmp:CreatorTool
  std::vector<std::string> iptc_source_types;  // Iptc4xmpExt:DigitalSourceType (full URIs)
  int xmp_history_steps = 0;          // xmpMM:History entries (edits recorded by Adobe tools)
};

// `image`: the decoded main image (for the thumbnail comparison), or null.
ExifEvidence ReadExifEvidence(const uint8_t* data, size_t n, const media::RgbImage* image);
std::vector<Finding> ExifFindings(const ExifEvidence& e);
nlohmann::ordered_json ToJson(const ExifEvidence& e);

}  // namespace needle::provenance
