// arm64 NEON (Advanced SIMD is baseline on AArch64): 4 hashes per 128-bit vector.
#define KABOSU_LANES 4
#define KABOSU_KERNEL_NAME scrypt_kernel_neon
#include "kernel.inc"
