#include "provenance/cbor_value.h"

#include <cbor.h>

#include <vector>

namespace needle::provenance {
namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxItems = 1u << 20;

struct Converter {
  size_t items = 0;
  Status Convert(const cbor_item_t* it, int depth, CborValue* out) {
    if (depth > kMaxDepth) return Corrupt("CBOR nested deeper than 32");
    if (++items > kMaxItems) return Corrupt("CBOR has too many items");
    switch (cbor_typeof(it)) {
      case CBOR_TYPE_UINT:
        out->type = CborValue::Type::kInt;
        out->i = static_cast<int64_t>(cbor_get_int(it));
        return Status::Ok();
      case CBOR_TYPE_NEGINT:
        out->type = CborValue::Type::kInt;
        out->i = -1 - static_cast<int64_t>(cbor_get_int(it));
        return Status::Ok();
      case CBOR_TYPE_BYTESTRING:
      case CBOR_TYPE_STRING: {
        const bool bytes = cbor_typeof(it) == CBOR_TYPE_BYTESTRING;
        out->type = bytes ? CborValue::Type::kBytes : CborValue::Type::kText;
        const bool definite = bytes ? cbor_bytestring_is_definite(it) : cbor_string_is_definite(it);
        if (definite) {
          const unsigned char* h = bytes ? cbor_bytestring_handle(it) : cbor_string_handle(it);
          size_t len = bytes ? cbor_bytestring_length(it) : cbor_string_length(it);
          out->s.assign(reinterpret_cast<const char*>(h), len);
        } else {
          size_t nchunks = bytes ? cbor_bytestring_chunk_count(it) : cbor_string_chunk_count(it);
          cbor_item_t** chunks = bytes ? cbor_bytestring_chunks_handle(it) : cbor_string_chunks_handle(it);
          for (size_t c = 0; c < nchunks; ++c) {
            const unsigned char* h = bytes ? cbor_bytestring_handle(chunks[c]) : cbor_string_handle(chunks[c]);
            size_t len = bytes ? cbor_bytestring_length(chunks[c]) : cbor_string_length(chunks[c]);
            out->s.append(reinterpret_cast<const char*>(h), len);
          }
        }
        return Status::Ok();
      }
      case CBOR_TYPE_ARRAY: {
        out->type = CborValue::Type::kArray;
        size_t n = cbor_array_size(it);
        cbor_item_t** h = cbor_array_handle(it);
        out->items.resize(n);
        for (size_t k = 0; k < n; ++k) NEEDLE_RETURN_IF_ERROR(Convert(h[k], depth + 1, &out->items[k]));
        return Status::Ok();
      }
      case CBOR_TYPE_MAP: {
        out->type = CborValue::Type::kMap;
        size_t n = cbor_map_size(it);
        cbor_pair* h = cbor_map_handle(it);
        out->keys.resize(n);
        out->values.resize(n);
        for (size_t k = 0; k < n; ++k) {
          NEEDLE_RETURN_IF_ERROR(Convert(h[k].key, depth + 1, &out->keys[k]));
          NEEDLE_RETURN_IF_ERROR(Convert(h[k].value, depth + 1, &out->values[k]));
        }
        return Status::Ok();
      }
      case CBOR_TYPE_TAG: {
        out->type = CborValue::Type::kTag;
        out->tag = cbor_tag_value(it);
        cbor_item_t* inner = cbor_tag_item(it);
        out->items.resize(1);
        Status s = Convert(inner, depth + 1, &out->items[0]);
        cbor_decref(&inner);
        return s;
      }
      case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_float_ctrl_is_ctrl(it)) {
          uint8_t c = cbor_ctrl_value(it);
          if (c == CBOR_CTRL_TRUE || c == CBOR_CTRL_FALSE) {
            out->type = CborValue::Type::kBool;
            out->b = c == CBOR_CTRL_TRUE;
          } else {
            out->type = c == CBOR_CTRL_UNDEF ? CborValue::Type::kUndefined : CborValue::Type::kNull;
          }
        } else {
          out->type = CborValue::Type::kFloat;
          out->f = cbor_float_get_float(it);
        }
        return Status::Ok();
    }
    return Corrupt("unknown CBOR item");
  }
};

// libcbor preallocates arrays and maps at their declared size, so a few
// hostile bytes can ask for gigabytes. Walk the item heads first and refuse
// any length or count that cannot fit in the bytes that remain (each item
// takes at least one byte), any reserved encoding, and deep nesting.
Status CheckShape(const uint8_t* d, size_t n) {
  struct Level {
    uint64_t left;  // items still expected; UINT64_MAX = indefinite
  };
  std::vector<Level> stack{{1}};
  size_t pos = 0;
  size_t items = 0;
  while (!stack.empty()) {
    if (stack.back().left == 0) {
      stack.pop_back();
      continue;
    }
    if (pos >= n) return Corrupt("CBOR ends inside an item");
    const uint8_t b = d[pos++];
    const int major = b >> 5, ai = b & 31;
    if (b == 0xFF) {  // break
      if (stack.back().left != UINT64_MAX) return Corrupt("CBOR break outside an indefinite item");
      stack.pop_back();
      continue;
    }
    if (stack.back().left != UINT64_MAX) --stack.back().left;
    if (++items > kMaxItems) return Corrupt("CBOR has too many items");
    uint64_t v = 0;
    bool indefinite = false;
    if (ai < 24) {
      v = uint64_t(ai);
    } else if (ai <= 27) {
      const size_t bytes = size_t(1) << (ai - 24);
      if (bytes > n - pos) return Corrupt("CBOR head runs past the end");
      for (size_t k = 0; k < bytes; ++k) v = (v << 8) | d[pos + k];
      pos += bytes;
    } else if (ai == 31 && major >= 2 && major <= 5) {
      indefinite = true;
    } else if (major != 7 || ai != 31) {
      return Corrupt("reserved CBOR encoding");
    }
    const uint64_t remaining = n - pos;
    switch (major) {
      case 2:
      case 3:
        if (indefinite) stack.push_back({UINT64_MAX});
        else if (v > remaining) return Corrupt("CBOR string longer than the data");
        else pos += size_t(v);
        break;
      case 4:
        if (indefinite) stack.push_back({UINT64_MAX});
        else if (v > remaining) return Corrupt("CBOR array count larger than the data");
        else stack.push_back({v});
        break;
      case 5:
        if (indefinite) stack.push_back({UINT64_MAX});
        else if (v > remaining / 2) return Corrupt("CBOR map count larger than the data");
        else stack.push_back({2 * v});
        break;
      case 6:
        stack.push_back({1});
        break;
      default:
        break;
    }
    if (stack.size() > size_t(kMaxDepth) + 2) return Corrupt("CBOR nested deeper than 32");
  }
  if (pos != n) return Corrupt("trailing bytes after the CBOR item");
  return Status::Ok();
}

}  // namespace

const CborValue* CborValue::Get(std::string_view key) const {
  const CborValue& m = Untagged();
  for (size_t i = 0; i < m.keys.size(); ++i)
    if (m.keys[i].type == Type::kText && m.keys[i].s == key) return &m.values[i];
  return nullptr;
}

const CborValue* CborValue::Get(int64_t key) const {
  const CborValue& m = Untagged();
  for (size_t i = 0; i < m.keys.size(); ++i)
    if (m.keys[i].type == Type::kInt && m.keys[i].i == key) return &m.values[i];
  return nullptr;
}

Result<CborValue> DecodeCbor(const uint8_t* data, size_t n) {
  if (n == 0) return Corrupt("empty CBOR");
  // Debian's libcbor 0.8 refuses some top-level tagged items (e.g. the
  // COSE_Sign1 tag 18 around a large array) that parse fine untagged, so
  // peel top-level tags here and wrap the result.
  if ((data[0] >> 5) == 6) {
    const uint8_t ai = data[0] & 0x1f;
    size_t head = ai < 24 ? 1 : ai == 24 ? 2 : ai == 25 ? 3 : ai == 26 ? 5 : ai == 27 ? 9 : 0;
    if (head == 0 || head >= n) return Corrupt("malformed CBOR tag");
    uint64_t tag = ai < 24 ? ai : 0;
    for (size_t k = 1; k < head; ++k) tag = (tag << 8) | data[k];
    NEEDLE_ASSIGN_OR_RETURN(CborValue inner, DecodeCbor(data + head, n - head));
    CborValue v;
    v.type = CborValue::Type::kTag;
    v.tag = tag;
    v.items.push_back(std::move(inner));
    return v;
  }
  NEEDLE_RETURN_IF_ERROR(CheckShape(data, n));
  cbor_load_result res;
  cbor_item_t* item = cbor_load(data, n, &res);
  if (item == nullptr || res.error.code != CBOR_ERR_NONE) {
    if (item) cbor_decref(&item);
    return Corrupt("malformed CBOR at byte " + std::to_string(res.error.position));
  }
  if (res.read != n) {
    cbor_decref(&item);
    return Corrupt("trailing bytes after the CBOR item");
  }
  CborValue v;
  Converter c;
  Status s = c.Convert(item, 0, &v);
  cbor_decref(&item);
  if (!s.ok()) return s;
  return v;
}

nlohmann::json CborToJson(const CborValue& v) {
  switch (v.type) {
    case CborValue::Type::kNull:
    case CborValue::Type::kUndefined: return nullptr;
    case CborValue::Type::kBool: return v.b;
    case CborValue::Type::kInt: return v.i;
    case CborValue::Type::kFloat: return v.f;
    case CborValue::Type::kBytes: return nlohmann::json{{"bytes", v.s.size()}};
    case CborValue::Type::kText: return v.s;
    case CborValue::Type::kTag: return v.items.empty() ? nlohmann::json(nullptr) : CborToJson(v.items[0]);
    case CborValue::Type::kArray: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : v.items) a.push_back(CborToJson(x));
      return a;
    }
    case CborValue::Type::kMap: {
      nlohmann::json o = nlohmann::json::object();
      for (size_t i = 0; i < v.keys.size(); ++i)
        o[v.keys[i].type == CborValue::Type::kText ? v.keys[i].s : std::to_string(v.keys[i].i)] = CborToJson(v.values[i]);
      return o;
    }
  }
  return nullptr;
}

}  // namespace needle::provenance
