# scaled-index load, the counter as the index
loop:
    slli t0, a2, 3
    add t0, a1, t0
    ld t0, 0(t0)
    add a0, a0, t0
    addi a2, a2, -1
    bnez a2, loop
