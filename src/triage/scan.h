// needle scan: walk evidence, process every file once, record results in a
// case store, then triage. The pipeline per file, in order (each step needs
// the ones before it):
//   1. read      bytes once, read-only; MD5/SHA-1/SHA-256 as they stream
//   2. decode    by content, within the pixel limit
//   3. pdq       the fullres PDQ (and the oriented variant)
//   4. inspect   C2PA validation, metadata, SD/SDXL watermark (same bytes and pixels)
//   5. detect    the pixel detector over native-resolution tiles (detect/)
//   6. lookup    digests and PDQ against the enabled banks
// then, for the whole case: verdicts, clusters, inheritance (triage_pass).
// Resumable: files already recorded with the same size, mtime and inode are
// skipped, so a killed scan continues where it stopped and a re-run over an
// unchanged tree does no work.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "needle/status.h"
#include "triage/triage_config.h"

namespace needle::triage {

struct ScanOptions {
  std::vector<std::string> roots;
  std::string case_dir;
  std::string store_dir;                // banks; empty or missing = no bank lookups
  std::vector<std::string> banks;       // restrict lookups to these banks (empty = all enabled)
  int threads = 0;
  bool follow_symlinks = false;
  // Also look up each image's seven rotated and mirrored PDQ variants
  // (banks/record_lookup.h).
  bool dihedral = false;
  uint64_t max_pixels = 200'000'000;
  // Decoded pixels held at once by all workers (util/pixel_budget.h); one
  // image above it is decoded alone.
  uint64_t max_pixels_in_flight = 300'000'000;
  std::string trust_anchors;            // C2PA trust anchors (PEM); empty = none trusted
  // The pixel detector's model description (detect/detector_config.h);
  // empty = the bundled one. `detect` false skips the step (faster triage
  // without pixel evidence; recorded in the audit log).
  std::string detector_model;
  bool detect = true;
  TriageConfig config;
  std::string command_line;             // for the audit log
  // Called once per processed file (under a lock), e.g. to print progress.
  std::function<void(const nlohmann::json& record)> on_file;
};

struct ScanSummary {
  int64_t seen = 0, processed = 0, skipped_unchanged = 0, failed = 0, not_files = 0;
  std::map<std::string, int64_t> classes;  // after triage
  int64_t items = 0, clusters = 0;
  double seconds = 0;
  std::vector<std::string> warnings;
};

Result<ScanSummary> RunScan(const ScanOptions& options);

}  // namespace needle::triage
