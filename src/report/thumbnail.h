// Small JPEG thumbnails for reports, made from the evidence file on demand
// (read-only) and never written anywhere but into the report itself.
#pragma once

#include <string>

#include "needle/status.h"

namespace needle::report {

// A JPEG (quality 70) whose longer side is at most `max_side` pixels. Uses
// DCT-domain scaling for JPEGs so large photos stay cheap.
Result<std::string> ThumbnailJpeg(const std::string& path, int max_side = 160);
// The same as a data: URI (for self-contained HTML).
Result<std::string> ThumbnailDataUri(const std::string& path, int max_side = 160);

std::string Base64(const std::string& bytes);

}  // namespace needle::report
