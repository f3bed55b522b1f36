// CBOR decoded (with Debian's libcbor) into a small owned tree, with limits
// checked on the way in (depth, item count), so C2PA code never walks raw
// libcbor items from hostile files. Map keys may be integers (COSE) or text.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "needle/status.h"

namespace needle::provenance {

struct CborValue {
  enum class Type { kNull, kBool, kInt, kFloat, kBytes, kText, kArray, kMap, kTag, kUndefined };
  Type type = Type::kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;  // bytes or text
  std::vector<CborValue> items;                          // array; tag: items[0]
  std::vector<CborValue> keys, values;                   // map (parallel; std::pair of an incomplete type is not allowed)
  uint64_t tag = 0;

  const CborValue* Get(std::string_view key) const;  // text key
  const CborValue* Get(int64_t key) const;           // integer key
  const CborValue& Untagged() const { return type == Type::kTag && !items.empty() ? items[0].Untagged() : *this; }
  bool IsText() const { return Untagged().type == Type::kText; }
  bool IsBytes() const { return Untagged().type == Type::kBytes; }
  std::string Text() const { return IsText() ? Untagged().s : std::string(); }
};

// Decodes exactly one item; trailing bytes are an error.
Result<CborValue> DecodeCbor(const uint8_t* data, size_t n);

// For reports: text keys kept, byte strings as {"bytes": N}.
nlohmann::json CborToJson(const CborValue& v);

}  // namespace needle::provenance
