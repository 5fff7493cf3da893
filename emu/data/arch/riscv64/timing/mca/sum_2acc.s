# reduction, unrolled 2x with two accumulators
loop:
    ld t0, 0(a1)
    add a0, a0, t0
    ld t1, 8(a1)
    add a3, a3, t1
    addi a1, a1, 16
    addi a2, a2, -1
    bnez a2, loop
