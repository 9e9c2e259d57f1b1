// x86-64 AVX2: 8 hashes per 256-bit vector (V reads use vpgatherdd).
#include <immintrin.h>
#define KABOSU_LANES 8
#define KABOSU_KERNEL_NAME scrypt_kernel_avx2
#define KABOSU_IOTA (vec){0, 1, 2, 3, 4, 5, 6, 7}
#define KABOSU_GATHER(idx, base) ((vec)_mm256_i32gather_epi32((const int*)(base), (__m256i)(idx), 4))
#include "kernel.inc"
