// SHA-256, HMAC-SHA256 and PBKDF2-HMAC-SHA256 (c = 1), as scrypt needs them (RFC 7914 §4, §6).
#pragma once
#include <cstddef>
#include <cstdint>

namespace kabosu {

struct Sha256 {
  uint32_t h[8];
  uint8_t buf[64];
  uint64_t len;
  size_t fill;
  Sha256();
  void update(const uint8_t* data, size_t n);
  void final(uint8_t out[32]);
};

// PBKDF2-HMAC-SHA256 with one iteration: out = T1 || T2 || ... (dkLen bytes, a multiple of 32).
void pbkdf2_sha256_1(const uint8_t* pass, size_t passLen, const uint8_t* salt, size_t saltLen, uint8_t* out, size_t dkLen);

}  // namespace kabosu
