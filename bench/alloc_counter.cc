// SPDX-License-Identifier: Apache-2.0
// Replaces every global operator new / operator delete of C++17/20 with
// counting versions on top of malloc/free, and hooks OpenSSL's allocator.
// See alloc_counter.h. Linked only into the benchmark binary.
#include "bench/alloc_counter.h"

#include <openssl/crypto.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace mptcp_bench {
namespace {

std::atomic<uint64_t> g_cxx_new{0};
std::atomic<uint64_t> g_openssl{0};
bool g_openssl_hooked = false;

void* CountingCryptoMalloc(size_t n, const char*, int) {
  g_openssl.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* CountingCryptoRealloc(void* p, size_t n, const char*, int) {
  g_openssl.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void CryptoFree(void* p, const char*, int) { std::free(p); }

void* AllocateOrNull(size_t n, size_t align) {
  g_cxx_new.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  if (align <= alignof(std::max_align_t)) return std::malloc(n);
  void* p = nullptr;
  return posix_memalign(&p, align, n) == 0 ? p : nullptr;
}

// operator new's contract: retry through the new-handler, else throw.
void* Allocate(size_t n, size_t align) {
  for (;;) {
    if (void* p = AllocateOrNull(n, align)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void ResetAllocCounts() {
  g_cxx_new.store(0, std::memory_order_relaxed);
  g_openssl.store(0, std::memory_order_relaxed);
}

AllocCounts ReadAllocCounts() {
  return {g_cxx_new.load(std::memory_order_relaxed), g_openssl.load(std::memory_order_relaxed)};
}

bool InstallOpensslHook() {
  if (!g_openssl_hooked) {
    g_openssl_hooked =
        CRYPTO_set_mem_functions(CountingCryptoMalloc, CountingCryptoRealloc, CryptoFree) == 1;
  }
  return g_openssl_hooked;
}

bool OpensslHookInstalled() { return g_openssl_hooked; }

}  // namespace mptcp_bench

using mptcp_bench::Allocate;
using mptcp_bench::AllocateOrNull;

// Plain and array.
void* operator new(size_t n) { return Allocate(n, 0); }
void* operator new[](size_t n) { return Allocate(n, 0); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return AllocateOrNull(n, 0); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return AllocateOrNull(n, 0); }
// Aligned (C++17).
void* operator new(size_t n, std::align_val_t a) { return Allocate(n, size_t(a)); }
void* operator new[](size_t n, std::align_val_t a) { return Allocate(n, size_t(a)); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateOrNull(n, size_t(a));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateOrNull(n, size_t(a));
}

// Every delete form frees with free() (posix_memalign memory included).
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
