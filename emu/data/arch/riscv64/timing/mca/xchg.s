# xchg64, runtime_asm/runtime.s (xchg64: amoswap.d.aqrl), repeated in a counted loop
loop:
    amoswap.d.aqrl t0, a1, (a0)
    addi a5, a5, -1
    bnez a5, loop
