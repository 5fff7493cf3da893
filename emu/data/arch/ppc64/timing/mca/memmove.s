# memmove forward doubleword loop, runtime_asm/ppc64x/runtime.s (memmove_fwords)
loop:
    ld 8, 0(4)
    std 8, 0(6)
    addi 4, 4, 8
    addi 6, 6, 8
    bdnz loop
