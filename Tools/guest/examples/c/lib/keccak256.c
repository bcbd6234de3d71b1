#include "keccak256.h"

static const uint64_t round_constants[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* Rotation offsets and the pi permutation, walked along the lane cycle starting at lane 1. */
static const int rho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                            27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
static const int pi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                           15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

static inline uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

static void keccak_f1600(uint64_t a[25]) {
    for (int round = 0; round < 24; round++) {
        uint64_t c[5];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        uint64_t carry = a[1];
        for (int i = 0; i < 24; i++) {
            uint64_t next = a[pi[i]];
            a[pi[i]] = rotl(carry, rho[i]);
            carry = next;
        }
        for (int y = 0; y < 25; y += 5) {
            uint64_t row[5];
            for (int x = 0; x < 5; x++) row[x] = a[y + x];
            for (int x = 0; x < 5; x++) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
        }
        a[0] ^= round_constants[round];
    }
}

static void absorb(uint64_t state[25], const uint8_t *block) {
    for (int i = 0; i < 17; i++) {
        uint64_t lane = 0;
        for (int j = 7; j >= 0; j--) lane = (lane << 8) | block[8 * i + j];
        state[i] ^= lane;
    }
    keccak_f1600(state);
}

void pn_keccak256_hash(const void *data, size_t length, uint8_t digest[32]) {
    uint64_t state[25] = {0};
    const uint8_t *p = data;
    while (length >= 136) {
        absorb(state, p);
        p += 136;
        length -= 136;
    }
    uint8_t last[136] = {0};
    for (size_t i = 0; i < length; i++) last[i] = p[i];
    last[length] ^= 0x01;
    last[135] ^= 0x80;
    absorb(state, last);
    for (int i = 0; i < 32; i++) digest[i] = (uint8_t)(state[i / 8] >> (8 * (i % 8)));
}
