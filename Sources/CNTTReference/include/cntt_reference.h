#ifndef CNTT_REFERENCE_H
#define CNTT_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

/// A plain C build of the same radix-2 KoalaBear NTT that `KoalaBear.NTT` runs: Montgomery
/// arithmetic on uint32_t, decimation in frequency with the same twiddle layout
/// (tw[h + j] = w_{2h}^j in Montgomery form) and the same cache blocking, then the same
/// bit-reversal pass. It exists only as the benchmark's reference.
void cntt_forward_dif(uint32_t *a, size_t n, const uint32_t *tw, size_t block);
void cntt_bit_reverse(uint32_t *a, size_t n);

#endif
