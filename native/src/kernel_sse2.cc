// x86-64 SSE2: 4 hashes per 128-bit vector.
#define KABOSU_LANES 4
#define KABOSU_KERNEL_NAME scrypt_kernel_sse2
#include "kernel.inc"
