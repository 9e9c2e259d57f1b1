// x86-64 AVX-512VL on 256-bit vectors: 8 hashes per vector, with AVX-512's 32 registers and
// native rotates; V per batch is 1 MiB, which fits the L2 of CPUs with 1 MiB per core.
#include <immintrin.h>
#define KABOSU_LANES 8
#define KABOSU_KERNEL_NAME scrypt_kernel_avx512vl
#define KABOSU_IOTA (vec){0, 1, 2, 3, 4, 5, 6, 7}
#define KABOSU_GATHER(idx, base) ((vec)_mm256_i32gather_epi32((const int*)(base), (__m256i)(idx), 4))
#include "kernel.inc"
