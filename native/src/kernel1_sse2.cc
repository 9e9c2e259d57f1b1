// x86-64 SSE2: one hash, Salsa20/8 on four 128-bit rows (rotations as two shifts and an or).
#define KABOSU_KERNEL1_NAME scrypt_kernel1_sse2
#include "kernel1.inc"
