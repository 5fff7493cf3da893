# indexed gather: an index load feeds the address of the next load
loop:
    ld t0, 0(a1)
    slli t0, t0, 3
    add t0, a4, t0
    ld t0, 0(t0)
    add a0, a0, t0
    addi a1, a1, 8
    addi a2, a2, -1
    bnez a2, loop
