// SPDX-License-Identifier: Apache-2.0
// An allocator for the flow table's big arrays: allocations of 2 MiB or more
// are 2 MiB-aligned and marked MADV_HUGEPAGE, so a million pairs span ~100
// TLB entries instead of ~40,000 (random per-segment lookups were dominated
// by TLB misses; bench/mcp_core_benchmark.cc). Smaller ones are plain
// operator new. Where THP is off, madvise is a no-op and nothing changes.
#ifndef MCP_CORE_HUGE_PAGE_ALLOCATOR_H_
#define MCP_CORE_HUGE_PAGE_ALLOCATOR_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace mcp_core {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

inline void* AllocateMaybeHuge(size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes);
  const size_t rounded = (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  void* p = std::aligned_alloc(kHugePageBytes, rounded);
  if (!p) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

inline void DeallocateMaybeHuge(void* p, size_t bytes) {
  if (bytes < kHugePageBytes) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(AllocateMaybeHuge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { DeallocateMaybeHuge(p, n * sizeof(T)); }
  template <typename U>
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) { return true; }
};

}  // namespace mcp_core

#endif  // MCP_CORE_HUGE_PAGE_ALLOCATOR_H_
