// x86-64 AVX-512VL: one hash, Salsa20/8 on four 128-bit rows with vprold rotations.
#define KABOSU_KERNEL1_NAME scrypt_kernel1_avx512vl
#include "kernel1.inc"
