#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kabosu {

struct ScryptPath {
  const char* name;
  int lanes;
  void (*kernel)(const uint8_t* headers, uint8_t* out, void* scratch);
};

// The SIMD paths this build has and this CPU runs, widest first; the last is always "scalar".
const std::vector<ScryptPath>& available_paths();
const ScryptPath* find_path(const std::string& name);

// scrypt(N=1024,r=1,p=1,dkLen=32) of n 80-byte headers (P = S = header) into n x 32 bytes.
// `widest` caps the kernel used; narrower kernels (down to scalar) take the remainder, so a
// lone header never waits for a full vector of work.
void scrypt_batch(const uint8_t* headers, size_t n, uint8_t* out, const ScryptPath* widest);

}  // namespace kabosu
