# load, increment, store back to one memory word
loop:
    ld t0, 0(a0)
    addi t0, t0, 1
    sd t0, 0(a0)
    addi a2, a2, -1
    bnez a2, loop
