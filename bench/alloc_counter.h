// SPDX-License-Identifier: Apache-2.0
// Heap-allocation counting for the benchmarks (bench/alloc_counter.cc).
//
// Two sources are counted:
//   * C++ allocations: every replaceable global operator new (plain, array,
//     nothrow, aligned, and combinations) is replaced for the whole binary;
//   * OpenSSL allocations: libcrypto allocates with malloc through its own
//     CRYPTO_malloc, which operator new never sees, so InstallOpensslHook()
//     routes CRYPTO_malloc/CRYPTO_realloc through counting wrappers
//     (CRYPTO_set_mem_functions; it must run before OpenSSL's first
//     allocation, i.e. first thing in main()).
// Counters are process-wide relaxed atomics; the benchmarks are
// single-threaded, so "allocations during the timing loop" is exact.
//
//   mptcp_bench::ResetAllocCounts();
//   for (auto _ : state) { ... }
//   AllocCounts n = mptcp_bench::ReadAllocCounts();
#ifndef BENCH_ALLOC_COUNTER_H_
#define BENCH_ALLOC_COUNTER_H_

#include <cstdint>

namespace mptcp_bench {

struct AllocCounts {
  uint64_t cxx_new = 0;  // operator new calls of any form
  uint64_t openssl = 0;  // CRYPTO_malloc / CRYPTO_realloc calls
  uint64_t total() const { return cxx_new + openssl; }
};

void ResetAllocCounts();
AllocCounts ReadAllocCounts();

// Returns false when OpenSSL refused (it had already allocated); OpenSSL
// allocations are then not counted and the benchmarks say so.
bool InstallOpensslHook();
bool OpensslHookInstalled();

}  // namespace mptcp_bench

#endif  // BENCH_ALLOC_COUNTER_H_
