/*
 * ProverNet guest SDK for C: the system calls of the ProverNet zkVM (the Pico/SP1 ABI: call id
 * in t0, arguments in a0..a2, result in t0) and the little libc a freestanding guest needs.
 *
 * Build guests with Tools/guest/build.sh (the Swift toolchain's own clang, -march=rv32im,
 * freestanding, linked with Tools/guest/link.ld). The start-up code calls `int main(void)`
 * and halts with its return value as the exit code.
 */
#ifndef PROVERNET_H
#define PROVERNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* System call ids (t0). */
#define PN_SYSCALL_HALT      0x00u /* a0 = exit code; never returns */
#define PN_SYSCALL_WRITE     0x02u /* a0 = fd, a1 = pointer, a2 = length */
#define PN_SYSCALL_COMMIT    0x10u /* a0 = word index 0..7, a1 = word of the public-output digest */
#define PN_SYSCALL_HINT_LEN  0xF0u /* t0 = length of the next input item, 0xFFFFFFFF when none is left */
#define PN_SYSCALL_HINT_READ 0xF1u /* a0 = pointer, a1 = length (must equal the item's length) */

/* File descriptors for PN_SYSCALL_WRITE. */
#define PN_FD_STDOUT 1u
#define PN_FD_STDERR 2u
#define PN_FD_PUBLIC 3u /* the public output the proof binds */

/* The exit code of pn_panic (as Rust's panics use). */
#define PN_PANIC_EXIT_CODE 101u

/* One system call: t0 = id, a0..a2 = arguments; returns t0. */
static inline uint32_t pn_syscall(uint32_t id, uint32_t arg0, uint32_t arg1, uint32_t arg2) {
    register uint32_t t0 __asm__("t0") = id;
    register uint32_t a0 __asm__("a0") = arg0;
    register uint32_t a1 __asm__("a1") = arg1;
    register uint32_t a2 __asm__("a2") = arg2;
    __asm__ volatile("ecall" : "+r"(t0) : "r"(a0), "r"(a1), "r"(a2) : "memory");
    return t0;
}

/* Flushes standard output and halts with `code` as the exit code. */
__attribute__((noreturn)) void pn_exit(uint32_t code);
/* Writes `message` and a newline to standard error, then halts with PN_PANIC_EXIT_CODE. */
__attribute__((noreturn)) void pn_panic(const char *message);

/* Writes bytes to a file descriptor (PN_FD_STDOUT, PN_FD_STDERR or PN_FD_PUBLIC), unbuffered. */
void pn_write(uint32_t fd, const void *data, size_t length);
/* Appends bytes to the public output. */
void pn_commit(const void *data, size_t length);
/* Appends a 32-bit / 64-bit number, little-endian, to the public output. */
void pn_commit_u32(uint32_t value);
void pn_commit_u64(uint64_t value);

/* Prints text to standard output (buffered until a newline or exit). */
void pn_print(const char *text);
/* Prints a number in decimal / bytes in hex to standard output. */
void pn_print_u64(uint64_t value);
void pn_print_hex(const void *data, size_t length);
/* Prints text to standard error (unbuffered). */
void pn_eprint(const char *text);
/* One character to standard output (buffered); Embedded Swift's print uses it. */
int putchar(int c);

/* The length of the next input item, or -1 when every item has been read. */
int32_t pn_input_len(void);
/* Reads the whole next input item into `destination`; `length` must equal pn_input_len(). */
void pn_input_read(void *destination, size_t length);
/* Reads the next input item into fresh heap memory and stores its length; panics when none is left. */
void *pn_input(size_t *length);
/* Reads the next input item, which must be exactly 4 bytes, as a little-endian number. */
uint32_t pn_input_u32(void);

/* Memory: a bump allocator over the heap after .bss (freeing only reclaims the latest block). */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *pointer, size_t size);
void free(void *pointer);
int posix_memalign(void **result, size_t alignment, size_t size);
void *aligned_alloc(size_t alignment, size_t size);

void *memcpy(void *destination, const void *source, size_t length);
void *memmove(void *destination, const void *source, size_t length);
void *memset(void *destination, int value, size_t length);
int memcmp(const void *a, const void *b, size_t length);
size_t strlen(const char *text);

#ifdef __cplusplus
}
#endif

#endif /* PROVERNET_H */
