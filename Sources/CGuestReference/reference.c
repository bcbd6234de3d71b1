/* The very files the guests compile, built here for the host with the same -O2. */
#include "../../Tools/guest/examples/c/lib/fibonacci.c"
#include "../../Tools/guest/examples/c/lib/keccak256.c"
#include "../../Tools/guest/examples/c/lib/sha256.c"
