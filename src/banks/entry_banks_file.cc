#include "banks/entry_banks_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "hash/digest.h"
#include "util/atomic_file.h"

namespace needle::banks {
namespace {

constexpr char kMagic[8] = {'N', 'D', 'L', 'B', 'A', 'N', 'K', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 8 + 4 + 4 + 8 + 8 + 64;

std::string PayloadDigest(const std::vector<int32_t>& v) {
  return hash::Sha256Hex(reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(int32_t));
}

}  // namespace

Status WriteEntryBanks(const std::string& path, const EntryBanks& map) {
  const std::string digest = PayloadDigest(map.bank_of);
  return util::WriteFileAtomically(path, [&](FILE* f) {
    const uint32_t version = kVersion, zero = 0;
    const uint64_t count = map.bank_of.size();
    return util::WriteAll(f, kMagic, 8) && util::WriteAll(f, &version, 4) && util::WriteAll(f, &zero, 4) &&
           util::WriteAll(f, &map.generation, 8) && util::WriteAll(f, &count, 8) &&
           util::WriteAll(f, digest.data(), 64) &&
           util::WriteAll(f, map.bank_of.data(), map.bank_of.size() * sizeof(int32_t));
  }, "the entry bank map");
}

Result<EntryBanks> ReadEntryBanks(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return errno == ENOENT ? NotFound(path) : IoError(path + ": " + std::strerror(errno));
  char header[kHeader];
  if (std::fread(header, 1, kHeader, f.get()) != kHeader) return Corrupt(path + ": truncated header");
  if (std::memcmp(header, kMagic, 8) != 0) return Corrupt(path + ": not a needle entry bank map");
  uint32_t version;
  uint64_t count;
  EntryBanks out;
  std::memcpy(&version, header + 8, 4);
  std::memcpy(&out.generation, header + 16, 8);
  std::memcpy(&count, header + 24, 8);
  if (version != kVersion) return Corrupt(path + ": entry bank map version " + std::to_string(version));
  // The size must match before anything is allocated for the payload.
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return IoError(path + ": cannot seek");
  const long size = std::ftell(f.get());
  if (size < 0 || count > uint64_t(size) / sizeof(int32_t) || uint64_t(size) != kHeader + count * sizeof(int32_t))
    return Corrupt(path + ": " + std::to_string(count) + " entries do not fit its size " + std::to_string(size));
  if (std::fseek(f.get(), long(kHeader), SEEK_SET) != 0) return IoError(path + ": cannot seek");
  out.bank_of.resize(size_t(count));
  const size_t bytes = size_t(count) * sizeof(int32_t);
  if (std::fread(out.bank_of.data(), 1, bytes, f.get()) != bytes) return Corrupt(path + ": truncated");
  if (PayloadDigest(out.bank_of) != std::string(header + 32, 64)) return Corrupt(path + ": digest mismatch");
  return out;
}

}  // namespace needle::banks
