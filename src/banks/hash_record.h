// What every hash-list importer produces and every exporter consumes: one
// entry of a bank, normalised (lowercase hex), with the source's own fields
// kept verbatim in `metadata`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "needle/status.h"

namespace needle::banks {

struct HashRecord {
  // Idempotency key within a bank: the source's record id when it has one
  // ("vics:123", "ncmec:7-img-0001"), otherwise the hashes themselves.
  std::string source_key;
  bool deleted = false;  // a tombstone: remove the entry with this key

  std::optional<std::string> md5, sha1, sha256, pdq;  // lowercase hex
  std::optional<std::string> photodna;                // base64, kept verbatim, never matched
  std::string category;
  std::string series;
  std::string classification;
  std::vector<std::string> tags;
  std::optional<bool> ai_generated;
  nlohmann::json metadata = nlohmann::json::object();  // source fields verbatim

  bool HasHash() const { return md5 || sha1 || sha256 || pdq || photodna; }
};

// Normalisers: lowercase hex of the exact length, or an error naming the field.
Result<std::string> NormalizeHex(std::string_view value, size_t hex_len, std::string_view what);
// PhotoDNA: 144 bytes as base64 (192 chars, kept) or hex (288 chars, converted).
Result<std::string> NormalizePhotoDna(std::string_view value);
// "y/yes/t/true/1" -> true, "n/no/f/false/0" -> false (case-insensitive).
std::optional<bool> ParseFlag(std::string_view v);

// Fills a default source_key from the hashes when the source has no id.
void DefaultKey(HashRecord* r);

}  // namespace needle::banks
