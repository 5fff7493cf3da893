# reduction: load and add, one accumulator
loop:
    ld t0, 0(a1)
    add a0, a0, t0
    addi a1, a1, 8
    addi a2, a2, -1
    bnez a2, loop
