// The entry -> bank map a Matcher keeps beside its index, saved next to the
// index snapshot (`pdq.banks`) with the same store generation. With both
// current a start-up reads neither the entries nor their hashes from the
// database: at 10M entries that walk read 3.6 GB of SQLite pages and parsed
// 10M hex strings (a cold `needle serve` start: 84 s on this VM).
//
// Format (little-endian):
//   "NDLBANK1" | u32 version=1 | u32 0 | u64 generation | u64 count |
//   SHA-256 of the payload (64 hex characters) | payload: count x i32, the
//   bank id of entry id i (0: none)
// A file that is short, long, of another version, or whose payload does not
// match its digest reads as kCorrupt; the matcher then walks the database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "needle/status.h"

namespace needle::banks {

struct EntryBanks {
  uint64_t generation = 0;
  std::vector<int32_t> bank_of;
};

// Writes atomically (util/atomic_file.h).
Status WriteEntryBanks(const std::string& path, const EntryBanks& map);
// kNotFound if absent, kCorrupt if malformed.
Result<EntryBanks> ReadEntryBanks(const std::string& path);

}  // namespace needle::banks
