/*
 * ProverNet guest runtime: system call wrappers, output buffering, a bump allocator, the few
 * libc functions freestanding code (and Embedded Swift) needs, the 64-bit arithmetic helpers
 * rv32im code calls, and single-threaded versions of the atomic library calls.
 *
 * Compiled with -ffreestanding (so -fno-builtin): the loops below never turn into calls to
 * themselves.
 */
#include "provernet.h"

#include <stdbool.h>

/* MARK: System calls */

static char stdout_buffer[256];
static size_t stdout_used;

static void flush_stdout(void) {
    if (stdout_used > 0) {
        pn_syscall(PN_SYSCALL_WRITE, PN_FD_STDOUT, (uint32_t)(uintptr_t)stdout_buffer, (uint32_t)stdout_used);
        stdout_used = 0;
    }
}

void pn_exit(uint32_t code) {
    flush_stdout();
    pn_syscall(PN_SYSCALL_HALT, code, 0, 0);
    for (;;) {
    }
}

void pn_write(uint32_t fd, const void *data, size_t length) {
    if (fd == PN_FD_STDOUT) flush_stdout();
    if (length > 0) pn_syscall(PN_SYSCALL_WRITE, fd, (uint32_t)(uintptr_t)data, (uint32_t)length);
}

void pn_commit(const void *data, size_t length) { pn_write(PN_FD_PUBLIC, data, length); }

void pn_commit_u32(uint32_t value) {
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    pn_commit(bytes, 4);
}

void pn_commit_u64(uint64_t value) {
    pn_commit_u32((uint32_t)value);
    pn_commit_u32((uint32_t)(value >> 32));
}

int putchar(int c) {
    stdout_buffer[stdout_used++] = (char)c;
    if (c == '\n' || stdout_used == sizeof stdout_buffer) flush_stdout();
    return (unsigned char)c;
}

void pn_print(const char *text) {
    while (*text) putchar(*text++);
}

void pn_print_u64(uint64_t value) {
    char digits[20];
    int n = 0;
    /* Divide by 10 with 32-bit steps so no 64-bit division helper is needed. */
    do {
        uint32_t hi = (uint32_t)(value >> 32), lo = (uint32_t)value;
        uint32_t qhi = hi / 10, r = hi % 10;
        uint64_t rest = ((uint64_t)r << 32) | lo;
        /* rest < 10 * 2^32, so the quotient fits in 32 bits: long division on 16-bit halves. */
        uint32_t mid = (uint32_t)(rest >> 16);
        uint32_t qmid = mid / 10;
        uint32_t low = ((mid % 10) << 16) | (lo & 0xffff);
        uint32_t qlo = low / 10;
        digits[n++] = (char)('0' + low % 10);
        value = ((uint64_t)qhi << 32) | ((uint64_t)qmid << 16) | qlo;
    } while (value != 0);
    while (n > 0) putchar(digits[--n]);
}

void pn_print_hex(const void *data, size_t length) {
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < length; i++) {
        putchar(hex[p[i] >> 4]);
        putchar(hex[p[i] & 15]);
    }
}

void pn_eprint(const char *text) { pn_write(PN_FD_STDERR, text, strlen(text)); }

void pn_panic(const char *message) {
    flush_stdout();
    pn_eprint(message);
    pn_eprint("\n");
    pn_exit(PN_PANIC_EXIT_CODE);
}

int32_t pn_input_len(void) { return (int32_t)pn_syscall(PN_SYSCALL_HINT_LEN, 0, 0, 0); }

void pn_input_read(void *destination, size_t length) {
    pn_syscall(PN_SYSCALL_HINT_READ, (uint32_t)(uintptr_t)destination, (uint32_t)length, 0);
}

void *pn_input(size_t *length) {
    int32_t n = pn_input_len();
    if (n < 0) pn_panic("pn_input: no input item left");
    void *p = malloc(n > 0 ? (size_t)n : 1);
    pn_input_read(p, (size_t)n);
    if (length) *length = (size_t)n;
    return p;
}

uint32_t pn_input_u32(void) {
    if (pn_input_len() != 4) pn_panic("pn_input_u32: the next input item is not 4 bytes");
    uint32_t value;
    pn_input_read(&value, 4);
    return value; /* RISC-V is little-endian */
}

/* MARK: Heap: a bump allocator. Each block is preceded by its size, 16-byte aligned. */

extern char __heap_start[], __heap_end[];
static uintptr_t heap_next;
static uintptr_t heap_last; /* the latest block, which free() can give back */

#define HEADER 16u

static void *allocate(size_t alignment, size_t size) {
    if (alignment < HEADER) alignment = HEADER;
    if (heap_next == 0) heap_next = (uintptr_t)__heap_start;
    uintptr_t block = (heap_next + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1);
    uintptr_t end = block + size;
    if (end < block || end > (uintptr_t)__heap_end) pn_panic("out of memory");
    *(size_t *)(block - sizeof(size_t)) = size;
    heap_last = block;
    heap_next = end;
    return (void *)block;
}

void *malloc(size_t size) { return allocate(HEADER, size); }

void *calloc(size_t count, size_t size) {
    size_t total = count * size;
    if (size != 0 && total / size != count) pn_panic("calloc: size overflow");
    /* Fresh heap memory is zero unless a freed block is being reused. */
    return memset(malloc(total), 0, total);
}

void free(void *pointer) {
    if (pointer != 0 && (uintptr_t)pointer == heap_last) {
        heap_next = heap_last - HEADER; /* roll back past the header and padding is harmless */
        heap_last = 0;
    }
}

void *realloc(void *pointer, size_t size) {
    if (pointer == 0) return malloc(size);
    size_t old = *(size_t *)((uintptr_t)pointer - sizeof(size_t));
    if ((uintptr_t)pointer == heap_last && (uintptr_t)pointer + size <= (uintptr_t)__heap_end) {
        *(size_t *)((uintptr_t)pointer - sizeof(size_t)) = size; /* grow or shrink in place */
        heap_next = (uintptr_t)pointer + size;
        return pointer;
    }
    void *fresh = malloc(size);
    memcpy(fresh, pointer, old < size ? old : size);
    return fresh;
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return 22; /* EINVAL */
    *result = allocate(alignment, size);
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) { return allocate(alignment, size); }

/* MARK: Memory and strings */

void *memcpy(void *destination, const void *source, size_t length) {
    uint8_t *d = destination;
    const uint8_t *s = source;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        for (; length >= 4; length -= 4, d += 4, s += 4) *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (length--) *d++ = *s++;
    return destination;
}

void *memmove(void *destination, const void *source, size_t length) {
    uint8_t *d = destination;
    const uint8_t *s = source;
    if (d == s || length == 0) return destination;
    if (d < s || d >= s + length) return memcpy(destination, source, length);
    while (length--) d[length] = s[length];
    return destination;
}

void *memset(void *destination, int value, size_t length) {
    uint8_t *d = destination;
    uint8_t b = (uint8_t)value;
    while (length > 0 && ((uintptr_t)d & 3) != 0) { *d++ = b; length--; }
    uint32_t word = b * 0x01010101u;
    for (; length >= 4; length -= 4, d += 4) *(uint32_t *)d = word;
    while (length--) *d++ = b;
    return destination;
}

int memcmp(const void *a, const void *b, size_t length) {
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < length; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *text) {
    size_t n = 0;
    while (text[n]) n++;
    return n;
}

/* Embedded Swift seeds its hashing from here; a zkVM guest is deterministic, so the seed is too. */
void arc4random_buf(void *buffer, size_t length) { memset(buffer, 0x5a, length); }

/* MARK: 64-bit helpers (compiler-rt names) built only from 32-bit operations */

typedef union {
    uint64_t all;
    struct { uint32_t lo, hi; } s;
} pn_u64;

uint64_t __ashldi3(uint64_t a, int b) {
    pn_u64 x = {.all = a}, r;
    b &= 63;
    if (b == 0) return a;
    if (b >= 32) { r.s.lo = 0; r.s.hi = x.s.lo << (b - 32); }
    else { r.s.lo = x.s.lo << b; r.s.hi = (x.s.hi << b) | (x.s.lo >> (32 - b)); }
    return r.all;
}

uint64_t __lshrdi3(uint64_t a, int b) {
    pn_u64 x = {.all = a}, r;
    b &= 63;
    if (b == 0) return a;
    if (b >= 32) { r.s.hi = 0; r.s.lo = x.s.hi >> (b - 32); }
    else { r.s.hi = x.s.hi >> b; r.s.lo = (x.s.lo >> b) | (x.s.hi << (32 - b)); }
    return r.all;
}

int64_t __ashrdi3(int64_t a, int b) {
    pn_u64 x = {.all = (uint64_t)a}, r;
    b &= 63;
    if (b == 0) return a;
    if (b >= 32) { r.s.hi = (uint32_t)((int32_t)x.s.hi >> 31); r.s.lo = (uint32_t)((int32_t)x.s.hi >> (b - 32)); }
    else { r.s.hi = (uint32_t)((int32_t)x.s.hi >> b); r.s.lo = (x.s.lo >> b) | (x.s.hi << (32 - b)); }
    return (int64_t)r.all;
}

uint64_t __muldi3(uint64_t a, uint64_t b) {
    pn_u64 x = {.all = a}, y = {.all = b}, r;
    uint32_t lo = x.s.lo * y.s.lo;
    uint32_t hi;
    __asm__("mulhu %0, %1, %2" : "=r"(hi) : "r"(x.s.lo), "r"(y.s.lo));
    r.s.lo = lo;
    r.s.hi = hi + x.s.lo * y.s.hi + x.s.hi * y.s.lo;
    return r.all;
}

/* Shift-and-subtract division on 32-bit halves. */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *remainder) {
    pn_u64 num = {.all = n}, den = {.all = d};
    if (den.s.hi == 0 && num.s.hi == 0) {
        if (den.s.lo == 0) { /* as RISC-V's divu: all ones, remainder = dividend */
            if (remainder) *remainder = n;
            return ~(uint64_t)0;
        }
        if (remainder) *remainder = num.s.lo % den.s.lo;
        return num.s.lo / den.s.lo;
    }
    if (den.s.hi == 0 && den.s.lo == 0) {
        if (remainder) *remainder = n;
        return ~(uint64_t)0;
    }
    pn_u64 q = {.all = 0}, r = {.all = 0};
    for (int i = 63; i >= 0; i--) {
        /* r = (r << 1) | bit i of n */
        r.s.hi = (r.s.hi << 1) | (r.s.lo >> 31);
        uint32_t bit = i >= 32 ? (num.s.hi >> (i - 32)) & 1 : (num.s.lo >> i) & 1;
        r.s.lo = (r.s.lo << 1) | bit;
        if (r.s.hi > den.s.hi || (r.s.hi == den.s.hi && r.s.lo >= den.s.lo)) {
            uint32_t borrow = r.s.lo < den.s.lo;
            r.s.lo -= den.s.lo;
            r.s.hi -= den.s.hi + borrow;
            if (i >= 32) q.s.hi |= 1u << (i - 32); else q.s.lo |= 1u << i;
        }
    }
    if (remainder) *remainder = r.all;
    return q.all;
}

uint64_t __udivdi3(uint64_t a, uint64_t b) { return udivmod64(a, b, 0); }

uint64_t __umoddi3(uint64_t a, uint64_t b) {
    uint64_t r;
    udivmod64(a, b, &r);
    return r;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

int64_t __divdi3(int64_t a, int64_t b) {
    uint64_t q = udivmod64(magnitude(a), magnitude(b), 0);
    return (int64_t)(((a < 0) != (b < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t a, int64_t b) {
    uint64_t r;
    udivmod64(magnitude(a), magnitude(b), &r);
    return (int64_t)(a < 0 ? 0 - r : r);
}

/* MARK: Atomics: rv32im has no A extension and a guest has one thread, so plain accesses do. */

uint32_t __atomic_load_4(const volatile void *p, int order) {
    (void)order;
    return *(const volatile uint32_t *)p;
}

void __atomic_store_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    *(volatile uint32_t *)p = v;
}

uint32_t __atomic_exchange_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    uint32_t old = *(volatile uint32_t *)p;
    *(volatile uint32_t *)p = v;
    return old;
}

bool __atomic_compare_exchange_4(volatile void *p, void *expected, uint32_t desired, int success, int failure) {
    (void)success;
    (void)failure;
    uint32_t current = *(volatile uint32_t *)p;
    if (current == *(uint32_t *)expected) {
        *(volatile uint32_t *)p = desired;
        return true;
    }
    *(uint32_t *)expected = current;
    return false;
}

#define PN_FETCH_OP(name, op)                                          \
    uint32_t __atomic_fetch_##name##_4(volatile void *p, uint32_t v, int order) { \
        (void)order;                                                   \
        uint32_t old = *(volatile uint32_t *)p;                        \
        *(volatile uint32_t *)p = old op v;                            \
        return old;                                                    \
    }
PN_FETCH_OP(add, +)
PN_FETCH_OP(sub, -)
PN_FETCH_OP(and, &)
PN_FETCH_OP(or, |)
PN_FETCH_OP(xor, ^)
