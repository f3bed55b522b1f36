#include "banks/hash_record.h"

#include <algorithm>
#include <cctype>

namespace needle::banks {

Result<std::string> NormalizeHex(std::string_view v, size_t len, std::string_view what) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  if (v.size() != len)
    return InvalidArgument(std::string(what) + " must be " + std::to_string(len) + " hex characters, got " +
                           std::to_string(v.size()));
  std::string out(v);
  for (char& c : out) {
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return InvalidArgument(std::string(what) + " has a non-hex character '" + std::string(1, c) + "'");
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<std::string> NormalizePhotoDna(std::string_view v) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (v.size() == 192) {
    for (char c : v)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=')
        return InvalidArgument("PhotoDNA base64 has an invalid character");
    return std::string(v);
  }
  if (v.size() == 288) {
    NEEDLE_ASSIGN_OR_RETURN(std::string hex, NormalizeHex(v, 288, "PhotoDNA"));
    std::string bytes;
    for (size_t i = 0; i < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
      out += kB64[(n >> 18) & 63];
      out += kB64[(n >> 12) & 63];
      out += kB64[(n >> 6) & 63];
      out += kB64[n & 63];
    }
    return out;
  }
  return InvalidArgument("PhotoDNA must be 192 base64 or 288 hex characters, got " + std::to_string(v.size()));
}

std::optional<bool> ParseFlag(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "y" || s == "yes" || s == "t" || s == "true" || s == "1") return true;
  if (s == "n" || s == "no" || s == "f" || s == "false" || s == "0") return false;
  return std::nullopt;
}

void DefaultKey(HashRecord* r) {
  if (!r->source_key.empty()) return;
  if (r->pdq) r->source_key = "pdq:" + *r->pdq;
  else if (r->sha256) r->source_key = "sha256:" + *r->sha256;
  else if (r->md5) r->source_key = "md5:" + *r->md5;
  else if (r->sha1) r->source_key = "sha1:" + *r->sha1;
  else if (r->photodna) r->source_key = "photodna:" + *r->photodna;
}

}  // namespace needle::banks
