// Portable path: one hash at a time, plain 32-bit arithmetic (any CPU).
#define KABOSU_LANES 1
#define KABOSU_KERNEL_NAME scrypt_kernel_scalar
#include "kernel.inc"
