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

// The SHA-256 compression function on one 64-byte block (big-endian words): SHA-NI when the CPU
// has it (x86-64), else portable C. Chosen once, at first use.
void sha256_compress(uint32_t h[8], const uint8_t block[64]);
// "sha-ni" or "portable": the compression sha256_compress uses.
const char* sha256_impl();

// Scrypt's two PBKDF2 calls for an 80-byte header (password = salt = header), with the HMAC key
// (SHA-256 of the header, then the ipad / opad blocks) compressed once per header and every
// message block laid out in advance: 17 compressions per hash, no byte-at-a-time padding.
struct ScryptHmac {
  uint32_t inner[8];  // state after the ipad block
  uint32_t outer[8];  // state after the opad block
};
void scrypt_hmac_init(const uint8_t header[80], ScryptHmac* k);
// B = PBKDF2-HMAC-SHA256(header, header, 1, 128).
void scrypt_pbkdf2_in(const ScryptHmac& k, const uint8_t header[80], uint8_t B[128]);
// out = PBKDF2-HMAC-SHA256(header, B, 1, 32).
void scrypt_pbkdf2_out(const ScryptHmac& k, const uint8_t B[128], uint8_t out[32]);

// PBKDF2-HMAC-SHA256 with one iteration: out = T1 || T2 || ... (dkLen bytes, a multiple of 32).
void pbkdf2_sha256_1(const uint8_t* pass, size_t passLen, const uint8_t* salt, size_t saltLen, uint8_t* out, size_t dkLen);

}  // namespace kabosu
