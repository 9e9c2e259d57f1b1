// Chooses SIMD kernels from CPU features at run time and runs a batch through them.
#include "scrypt.h"
#include <cstdlib>
#include <memory>
#if defined(KABOSU_ARM32_NEON)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace kabosu {
void scrypt_kernel_scalar(const uint8_t*, uint8_t*, void*);
#if defined(KABOSU_X86)
void scrypt_kernel_sse2(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx2(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx512(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx512vl(const uint8_t*, uint8_t*, void*);
void scrypt_kernel1_sse2(const uint8_t*, uint8_t*, void*);
void scrypt_kernel1_avx512vl(const uint8_t*, uint8_t*, void*);
#endif
// arm64: Advanced SIMD is baseline. 32-bit ARMv7: the NEON kernels are built (with -mfpu=neon,
// native/CMakeLists.txt) but NEON is optional there, so they run only when the kernel says so.
#if defined(__aarch64__) || defined(KABOSU_ARM32_NEON)
void scrypt_kernel_neon(const uint8_t*, uint8_t*, void*);
void scrypt_kernel1_neon(const uint8_t*, uint8_t*, void*);
#endif

const std::vector<ScryptPath>& available_paths() {
  static const std::vector<ScryptPath> paths = [] {
    std::vector<ScryptPath> p;
#if defined(KABOSU_X86)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
      p.push_back({"avx512", 16, scrypt_kernel_avx512});
      p.push_back({"avx512vl", 8, scrypt_kernel_avx512vl});
    }
    if (__builtin_cpu_supports("avx2")) p.push_back({"avx2", 8, scrypt_kernel_avx2});
    p.push_back({"sse2", 4, scrypt_kernel_sse2});
    // One hash with Salsa20/8 vectorised inside the block: the path for lone nonces.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) p.push_back({"avx512vl-x1", 1, scrypt_kernel1_avx512vl});
    p.push_back({"sse2-x1", 1, scrypt_kernel1_sse2});
#endif
#if defined(__aarch64__)
    const bool neon = true;
#elif defined(KABOSU_ARM32_NEON)
    const bool neon = (getauxval(AT_HWCAP) & HWCAP_NEON) != 0;
#endif
#if defined(__aarch64__) || defined(KABOSU_ARM32_NEON)
    if (neon) {
      p.push_back({"neon", 4, scrypt_kernel_neon});
      p.push_back({"neon-x1", 1, scrypt_kernel1_neon});
    }
#endif
    p.push_back({"scalar", 1, scrypt_kernel_scalar});
    return p;
  }();
  return paths;
}

const ScryptPath* find_path(const std::string& name) {
  for (const auto& p : available_paths())
    if (name == p.name) return &p;
  return nullptr;
}

namespace {
// Per-thread scratch, kept for the thread's life and grown only when a wider kernel needs it:
// a fresh 2 MiB block per call (16 AVX-512 lanes) made glibc keep freed blocks resident in every
// thread-pool arena, which cost the firmware ~15 MB of RSS (tools/bench pipeline-remote).
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~Scratch() { std::free(p); }
};
thread_local Scratch tls_scratch;

void* scratch_for(size_t bytes) {
  if (tls_scratch.bytes < bytes) {
    std::free(tls_scratch.p);
    tls_scratch.p = std::aligned_alloc(64, bytes);
    tls_scratch.bytes = tls_scratch.p ? bytes : 0;
  }
  return tls_scratch.p;
}
}  // namespace

void scrypt_batch(const uint8_t* headers, size_t n, uint8_t* out, const ScryptPath* widest) {
  const auto& paths = available_paths();
  size_t start = 0;
  while (start < paths.size() && &paths[start] != widest) start++;
  if (start == paths.size()) start = 0;
  // Paths run widest first; skip those wider than the batch (a lone nonce needs no 16-lane scratch).
  while (start + 1 < paths.size() && (size_t)paths[start].lanes > n) start++;
  // Scratch for the widest kernel used: 1024 x 32 words x lanes, 64-byte aligned.
  const size_t bytes = 1024u * 32u * 4u * (size_t)paths[start].lanes;
  void* scratch = scratch_for(bytes);
  if (!scratch) return;
  size_t done = 0;
  for (size_t pi = start; pi < paths.size() && done < n; pi++) {
    const ScryptPath& p = paths[pi];
    while (n - done >= (size_t)p.lanes) {
      p.kernel(headers + 80 * done, out + 32 * done, scratch);
      done += p.lanes;
    }
  }
}

}  // namespace kabosu
