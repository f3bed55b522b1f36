#include "util/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace needle::util {
namespace {
constexpr size_t kHuge = size_t(2) << 20;

size_t MappedBytes(size_t bytes) { return (bytes + kHuge - 1) / kHuge * kHuge; }
}  // namespace

void* HugeAlloc(size_t bytes) {
  if (bytes < kHuge) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  // Over-map by one huge page so the start can be aligned to 2 MiB, then
  // return the unused head and tail to the kernel.
  const size_t len = MappedBytes(bytes);
  void* raw = mmap(nullptr, len + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (base + kHuge - 1) & ~(kHuge - 1);
  if (aligned > base) munmap(raw, aligned - base);
  const uintptr_t end = base + len + kHuge;
  if (end > aligned + len) munmap(reinterpret_cast<void*>(aligned + len), end - (aligned + len));
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
  return reinterpret_cast<void*>(aligned);
}

void HugeFree(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes < kHuge) {
    std::free(p);
    return;
  }
  munmap(p, MappedBytes(bytes));
}

}  // namespace needle::util
