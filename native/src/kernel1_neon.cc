// NEON (arm64; ARMv7 when HWCAP_NEON): one hash, Salsa20/8 on four 128-bit rows.
#define KABOSU_KERNEL1_NAME scrypt_kernel1_neon
#include "kernel1.inc"
