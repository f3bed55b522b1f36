// One file in, one record out: read as evidence (digests), decode by
// content, PDQ under the chosen pipeline. Never fails as a whole: a file that
// cannot be read or decoded gives a record with `error` set and whatever was
// learned before the failure (size and digests survive a failed decode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hash/digest.h"
#include "hash/pdq.h"
#include "hash/pdq_pipeline.h"
#include "media/evidence_file.h"
#include "media/image.h"
#include "needle/status.h"

namespace needle::hash {

struct HashOptions {
  Pipeline pipeline = Pipeline::kFullres;
  bool dihedral = false;
  int fast_min_short_side = 0;  // 0 = kFastMinShortSide
  media::DecodeOptions decode;
  media::ReadOptions read;
};

struct FileHashRecord {
  std::string path;
  std::optional<uint64_t> size;
  std::optional<Digests> digests;
  std::string format;            // "jpeg", "png"... or what the bytes look like
  int width = 0, height = 0;     // native, as stored
  int orientation = 1;           // EXIF orientation, recorded not applied
  Pipeline pipeline = Pipeline::kFullres;
  int scale_denom = 1;           // fast pipeline: JPEG DCT scaling used
  std::optional<PdqHash> pdq;    // on the raw (unrotated) pixels
  std::optional<Hash256> pdq_oriented;  // DCT-domain variant for orientation != 1
  std::optional<PdqDihedral> dihedral;
  std::vector<std::string> warnings;
  Status error;                  // ok() when everything above is complete
};

FileHashRecord HashFile(const std::string& path, const HashOptions& options);

// The same for a file already read (the scan reads once and shares bytes).
// `keep`, when given, receives the decoded image (so later steps need not
// decode again).
FileHashRecord HashEvidence(const media::EvidenceFile& ev, const HashOptions& options,
                            media::DecodedImage* keep = nullptr);

// The same for bytes already in memory (uploads); `label` becomes `path`.
FileHashRecord HashBytes(const std::string& label, const uint8_t* data, size_t n, const HashOptions& options);

// Decode + PDQ part, shared by both (fills format..dihedral or error).
void HashDecoded(const uint8_t* data, size_t n, const HashOptions& options, FileHashRecord* rec,
                 media::DecodedImage* keep = nullptr);

}  // namespace needle::hash
