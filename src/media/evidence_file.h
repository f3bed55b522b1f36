// Reading a file as evidence: read-only, atime preserved where the OS allows,
// every byte read exactly once.
//
// The bytes feed the digests as they stream in and, when the file is small
// enough to decode (see ReadOptions::max_buffer_bytes), are kept in memory for
// the decoder, so the decoder sees exactly the bytes that were hashed. A file
// too large to keep still gets its size and digests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hash/digest.h"
#include "needle/status.h"

namespace needle::media {

struct ReadOptions {
  // Files up to this size are kept in memory for decoding. Larger files are
  // streamed through the digests only (their decode fails with kTooLarge).
  uint64_t max_buffer_bytes = 1ull << 30;
};

struct EvidenceFile {
  std::string path;
  uint64_t size = 0;            // bytes actually read
  hash::Digests digests;        // over all `size` bytes
  std::vector<uint8_t> bytes;   // the whole file when `kept`
  bool kept = false;
  std::vector<uint8_t> head;    // first bytes (format sniffing), always set
  bool noatime = false;         // O_NOATIME was honoured
};

// Fails with kNotFound, kPermissionDenied, kInvalidArgument (not a regular
// file) or kIoError. Symbolic links are not followed.
Result<EvidenceFile> ReadEvidence(const std::string& path, const ReadOptions& options = {});

}  // namespace needle::media
