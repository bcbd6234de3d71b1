/* Keccak-256 as Ethereum uses it (padding byte 0x01), for guests and the native reference. */
#ifndef PN_EXAMPLE_KECCAK256_H
#define PN_EXAMPLE_KECCAK256_H
#include <stddef.h>
#include <stdint.h>

void pn_keccak256_hash(const void *data, size_t length, uint8_t digest[32]);
#endif
