// SHA-256 per FIPS 180-4; HMAC per RFC 2104; PBKDF2 per RFC 8018 (one iteration).
#include "sha256.h"
#include <cstdlib>
#include <cstring>

namespace kabosu {
#if defined(KABOSU_X86)
void sha256_compress_shani(uint32_t h[8], const uint8_t block[64]);
#endif
namespace {
const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress_c(uint32_t h[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

typedef void (*CompressFn)(uint32_t*, const uint8_t*);

// KABOSU_SHA256=portable forces the C version (tests cross-check both on one machine).
CompressFn pick_compress() {
#if defined(KABOSU_X86)
  const char* force = std::getenv("KABOSU_SHA256");
  const bool portable = force && std::strcmp(force, "portable") == 0;
  __builtin_cpu_init();
  if (!portable && __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) return sha256_compress_shani;
#endif
  return compress_c;
}

const CompressFn compress_fn = pick_compress();

inline void compress(uint32_t h[8], const uint8_t block[64]) { compress_fn(h, block); }

inline void put_be32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

inline void put_be64(uint8_t* p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}

const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// outer(state after opad) over a 32-byte inner digest held as state words -> out (big-endian).
inline void hmac_outer(const uint32_t outerState[8], const uint32_t inner[8], uint8_t out[32]) {
  uint8_t blk[64] = {0};
  for (int i = 0; i < 8; i++) put_be32(blk + 4 * i, inner[i]);
  blk[32] = 0x80;
  put_be64(blk + 56, (64 + 32) * 8);
  uint32_t s[8];
  std::memcpy(s, outerState, sizeof s);
  compress(s, blk);
  for (int i = 0; i < 8; i++) put_be32(out + 4 * i, s[i]);
}
}  // namespace

void sha256_compress(uint32_t h[8], const uint8_t block[64]) { compress(h, block); }

const char* sha256_impl() {
#if defined(KABOSU_X86)
  if (compress_fn == sha256_compress_shani) return "sha-ni";
#endif
  return "portable";
}

void scrypt_hmac_init(const uint8_t header[80], ScryptHmac* k) {
  // The 80-byte key is longer than a block, so HMAC's key is SHA-256(header).
  uint32_t d[8];
  std::memcpy(d, IV, sizeof d);
  compress(d, header);
  uint8_t blk[64] = {0};
  std::memcpy(blk, header + 64, 16);
  blk[16] = 0x80;
  put_be64(blk + 56, 80 * 8);
  compress(d, blk);
  uint8_t ipad[64], opad[64];
  std::memset(ipad, 0x36, 64);
  std::memset(opad, 0x5c, 64);
  for (int i = 0; i < 8; i++) {
    uint8_t w[4];
    put_be32(w, d[i]);
    for (int j = 0; j < 4; j++) { ipad[4 * i + j] ^= w[j]; opad[4 * i + j] ^= w[j]; }
  }
  std::memcpy(k->inner, IV, sizeof IV);
  compress(k->inner, ipad);
  std::memcpy(k->outer, IV, sizeof IV);
  compress(k->outer, opad);
}

void scrypt_pbkdf2_in(const ScryptHmac& k, const uint8_t header[80], uint8_t B[128]) {
  uint32_t mid[8];
  std::memcpy(mid, k.inner, sizeof mid);
  compress(mid, header);  // ipad block done; header bytes 0..63
  uint8_t tail[64] = {0};  // header bytes 64..79, block index, padding; 64 + 80 + 4 bytes in all
  std::memcpy(tail, header + 64, 16);
  tail[20] = 0x80;
  put_be64(tail + 56, (64 + 80 + 4) * 8);
  for (uint32_t i = 1; i <= 4; i++) {
    put_be32(tail + 16, i);
    uint32_t s[8];
    std::memcpy(s, mid, sizeof s);
    compress(s, tail);
    hmac_outer(k.outer, s, B + 32 * (i - 1));
  }
}

void scrypt_pbkdf2_out(const ScryptHmac& k, const uint8_t B[128], uint8_t out[32]) {
  uint32_t s[8];
  std::memcpy(s, k.inner, sizeof s);
  compress(s, B);
  compress(s, B + 64);
  uint8_t tail[64] = {0};  // block index 1, padding; 64 + 128 + 4 bytes in all
  put_be32(tail, 1);
  tail[4] = 0x80;
  put_be64(tail + 56, (64 + 128 + 4) * 8);
  compress(s, tail);
  hmac_outer(k.outer, s, out);
}

Sha256::Sha256() : h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}, buf{}, len(0), fill(0) {}

void Sha256::update(const uint8_t* data, size_t n) {
  len += n;
  while (n > 0) {
    size_t take = 64 - fill < n ? 64 - fill : n;
    memcpy(buf + fill, data, take);
    fill += take; data += take; n -= take;
    if (fill == 64) { compress(h, buf); fill = 0; }
  }
}

void Sha256::final(uint8_t out[32]) {
  uint64_t bits = len * 8;
  uint8_t pad = 0x80;
  update(&pad, 1);
  uint8_t zero = 0;
  while (fill != 56) update(&zero, 1);
  uint8_t lenb[8];
  for (int i = 0; i < 8; i++) lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
  update(lenb, 8);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24); out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8); out[4 * i + 3] = (uint8_t)h[i];
  }
}

void pbkdf2_sha256_1(const uint8_t* pass, size_t passLen, const uint8_t* salt, size_t saltLen, uint8_t* out, size_t dkLen) {
  uint8_t key[64] = {0};
  if (passLen > 64) { Sha256 s; s.update(pass, passLen); s.final(key); }
  else memcpy(key, pass, passLen);
  uint8_t ipad[64], opad[64];
  for (int i = 0; i < 64; i++) { ipad[i] = key[i] ^ 0x36; opad[i] = key[i] ^ 0x5c; }
  Sha256 inner0; inner0.update(ipad, 64); inner0.update(salt, saltLen);
  Sha256 outer0; outer0.update(opad, 64);
  for (uint32_t block = 1; block * 32 <= dkLen; block++) {
    Sha256 in = inner0;
    uint8_t be[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16), (uint8_t)(block >> 8), (uint8_t)block};
    in.update(be, 4);
    uint8_t ih[32];
    in.final(ih);
    Sha256 out_ = outer0;
    out_.update(ih, 32);
    out_.final(out + (block - 1) * 32);
  }
}

}  // namespace kabosu
