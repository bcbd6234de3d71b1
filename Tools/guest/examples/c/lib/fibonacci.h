/* The n-th Fibonacci number modulo 2^64 (F(0) = 0, F(1) = 1), iteratively. */
#ifndef PN_EXAMPLE_FIBONACCI_H
#define PN_EXAMPLE_FIBONACCI_H
#include <stdint.h>

uint64_t pn_fibonacci(uint32_t n);
#endif
