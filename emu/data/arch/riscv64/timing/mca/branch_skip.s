# a forward branch inside the loop body (two blocks): sum of the non-zero elements
loop:
    ld t0, 0(a1)
    addi a1, a1, 8
    beqz t0, skip
    add a0, a0, t0
skip:
    addi a2, a2, -1
    bnez a2, loop
