// x86-64 AVX-512F/VL. Two kernels: 16 hashes per 512-bit vector, and 8 hashes per 256-bit
// vector with AVX-512VL (32 vector registers and vprold, V of 1 MiB per batch: fits L2 better).
// V reads use vpgatherdd.
#include <immintrin.h>
#define KABOSU_LANES 16
#define KABOSU_KERNEL_NAME scrypt_kernel_avx512
#include "kernel.inc"
