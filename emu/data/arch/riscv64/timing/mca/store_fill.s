# fill: one store per iteration (store throughput)
loop:
    sd a3, 0(a0)
    addi a0, a0, 8
    addi a2, a2, -1
    bnez a2, loop
