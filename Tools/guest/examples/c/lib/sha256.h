/* SHA-256 (FIPS 180-4) for guests and, unchanged, for the native benchmark reference. */
#ifndef PN_EXAMPLE_SHA256_H
#define PN_EXAMPLE_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint8_t block[64];
    uint32_t used;
    uint64_t length;
} pn_sha256;

void pn_sha256_init(pn_sha256 *h);
void pn_sha256_update(pn_sha256 *h, const void *data, size_t length);
void pn_sha256_final(pn_sha256 *h, uint8_t digest[32]);
void pn_sha256_hash(const void *data, size_t length, uint8_t digest[32]);
#endif
