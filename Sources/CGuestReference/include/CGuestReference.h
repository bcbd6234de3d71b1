/* The example guests' C code (Tools/guest/examples/c/lib), compiled natively for the host: the
 * reference the `execute` benchmark measures the zkVM executor against. */
#ifndef CGUESTREFERENCE_H
#define CGUESTREFERENCE_H
#include "../../../Tools/guest/examples/c/lib/fibonacci.h"
#include "../../../Tools/guest/examples/c/lib/keccak256.h"
#include "../../../Tools/guest/examples/c/lib/sha256.h"
#endif
