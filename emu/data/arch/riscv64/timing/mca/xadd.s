# xadd, runtime_asm/runtime.s (xadd: amoadd.w.aqrl and the zero-extended result), repeated in a counted loop
loop:
    amoadd.w.aqrl t0, a1, (a0)
    addw a3, t0, a1
    slli a3, a3, 32
    srli a3, a3, 32
    addi a5, a5, -1
    bnez a5, loop
