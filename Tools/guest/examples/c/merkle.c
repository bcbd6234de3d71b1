/* Merkle-root guest. Input: one item, the leaves (32 bytes each, at least one).
 * Public output: the 32-byte root. Each level hashes pairs, SHA-256(left || right); an odd last
 * node moves up unchanged; a single leaf is its own root. Exit code 2 for a malformed input. */
#include <provernet.h>

#include "lib/sha256.h"

int main(void) {
    size_t length;
    uint8_t *nodes = pn_input(&length);
    if (length == 0 || length % 32 != 0) {
        pn_eprint("merkle: the input must be one or more 32-byte leaves\n");
        return 2;
    }
    size_t count = length / 32;
    pn_print("merkle root of ");
    pn_print_u64(count);
    pn_print(" leaves\n");
    while (count > 1) {
        size_t next = 0;
        for (size_t i = 0; i + 1 < count; i += 2) {
            pn_sha256_hash(nodes + 32 * i, 64, nodes + 32 * next); /* the pair is contiguous */
            next++;
        }
        if (count % 2 == 1) {
            memmove(nodes + 32 * next, nodes + 32 * (count - 1), 32);
            next++;
        }
        count = next;
    }
    pn_commit(nodes, 32);
    return 0;
}
