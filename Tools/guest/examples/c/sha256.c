/* SHA-256 guest. Input: one item, the message. Public output: its 32-byte SHA-256 digest. */
#include <provernet.h>

#include "lib/sha256.h"

int main(void) {
    size_t length;
    uint8_t *message = pn_input(&length);
    uint8_t digest[32];
    pn_sha256_hash(message, length, digest);
    pn_commit(digest, 32);
    pn_print("sha256 = ");
    pn_print_hex(digest, 32);
    pn_print("\n");
    return 0;
}
