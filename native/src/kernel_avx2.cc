// x86-64 AVX2: 8 hashes per 256-bit vector.
#include <immintrin.h>
#define KABOSU_LANES 8
#define KABOSU_KERNEL_NAME scrypt_kernel_avx2
#include "kernel.inc"
