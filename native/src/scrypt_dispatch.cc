// Chooses SIMD kernels from CPU features at run time and runs a batch through them.
#include "scrypt.h"
#include <cstdlib>
#include <memory>

namespace kabosu {
void scrypt_kernel_scalar(const uint8_t*, uint8_t*, void*);
#if defined(KABOSU_X86)
void scrypt_kernel_sse2(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx2(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx512(const uint8_t*, uint8_t*, void*);
void scrypt_kernel_avx512vl(const uint8_t*, uint8_t*, void*);
#endif
#if defined(__aarch64__)
void scrypt_kernel_neon(const uint8_t*, uint8_t*, void*);
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
#endif
#if defined(__aarch64__)
    p.push_back({"neon", 4, scrypt_kernel_neon});
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

void scrypt_batch(const uint8_t* headers, size_t n, uint8_t* out, const ScryptPath* widest) {
  const auto& paths = available_paths();
  size_t start = 0;
  while (start < paths.size() && &paths[start] != widest) start++;
  if (start == paths.size()) start = 0;
  // Scratch for the widest kernel used: 1024 x 32 words x lanes, 64-byte aligned.
  const size_t bytes = 1024u * 32u * 4u * (size_t)paths[start].lanes;
  void* scratch = std::aligned_alloc(64, bytes);
  if (!scratch) return;
  size_t done = 0;
  for (size_t pi = start; pi < paths.size() && done < n; pi++) {
    const ScryptPath& p = paths[pi];
    while (n - done >= (size_t)p.lanes) {
      p.kernel(headers + 80 * done, out + 32 * done, scratch);
      done += p.lanes;
    }
  }
  std::free(scratch);
}

}  // namespace kabosu
