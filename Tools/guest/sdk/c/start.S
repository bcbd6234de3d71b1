# ProverNet guest start-up: the executor jumps here (the ELF entry). The loader has already
# zero-filled .bss, so only the registers need setting before main; main's return value
# becomes the exit code.
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    li      a0, 0
    li      a1, 0
    call    main
    tail    pn_exit
    .size _start, . - _start
