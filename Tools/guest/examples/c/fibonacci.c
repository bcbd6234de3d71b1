/* Fibonacci guest. Input: one item, n as a 4-byte little-endian number.
 * Public output: F(n) mod 2^64, 8 bytes little-endian. Prints "fib(n) = F(n)". */
#include <provernet.h>

#include "lib/fibonacci.h"

int main(void) {
    uint32_t n = pn_input_u32();
    uint64_t result = pn_fibonacci(n);
    pn_commit_u64(result);
    pn_print("fib(");
    pn_print_u64(n);
    pn_print(") = ");
    pn_print_u64(result);
    pn_print("\n");
    return 0;
}
