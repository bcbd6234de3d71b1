#include "cntt_reference.h"

#define P 0x7f000001u
#define NEG_P_INV 0x7effffffu

static inline uint32_t mont_mul(uint32_t a, uint32_t b) {
    uint64_t t = (uint64_t)a * b;
    uint32_t m = (uint32_t)t * NEG_P_INV;
    uint32_t u = (uint32_t)((t + (uint64_t)m * P) >> 32);
    return u >= P ? u - P : u;
}

static inline uint32_t add_mod(uint32_t a, uint32_t b) {
    uint32_t s = a + b;
    uint32_t t = s - P;
    return s < t ? s : t;
}

static inline uint32_t sub_mod(uint32_t a, uint32_t b) {
    uint32_t d = a - b;
    uint32_t t = d + P;
    return d < t ? d : t;
}

static void dif_layer(uint32_t *a, size_t size, size_t h, const uint32_t *tw) {
    if (h == 1) {
        for (size_t s = 0; s < size; s += 2) {
            uint32_t x = a[s], y = a[s + 1];
            a[s] = add_mod(x, y);
            a[s + 1] = sub_mod(x, y);
        }
        return;
    }
    const uint32_t *t = tw + h;
    for (size_t s = 0; s < size; s += 2 * h) {
        uint32_t *lo = a + s, *hi = a + s + h;
        for (size_t j = 0; j < h; j++) {
            uint32_t x = lo[j], y = hi[j];
            lo[j] = add_mod(x, y);
            hi[j] = mont_mul(sub_mod(x, y), t[j]);
        }
    }
}

void cntt_forward_dif(uint32_t *a, size_t n, const uint32_t *tw, size_t block) {
    size_t h = n >> 1;
    while (h > 0 && 2 * h > block) {
        dif_layer(a, n, h, tw);
        h >>= 1;
    }
    if (h == 0) return;
    size_t b = 2 * h;
    for (size_t s = 0; s < n; s += b)
        for (size_t hh = h; hh > 0; hh >>= 1) dif_layer(a + s, b, hh, tw);
}

void cntt_bit_reverse(uint32_t *a, size_t n) {
    if (n <= 2) return;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < j) {
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        size_t bit = n >> 1;
        while (j & bit) {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
    }
}
