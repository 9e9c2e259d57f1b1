// NEON: 4 hashes per 128-bit vector (arm64, where Advanced SIMD is baseline, and ARMv7 with
// -mfpu=neon, picked at run time by HWCAP_NEON: scrypt_dispatch.cc).
#define KABOSU_LANES 4
#define KABOSU_KERNEL_NAME scrypt_kernel_neon
#include "kernel.inc"
