# pointer chasing: each load's address is the previous load's result (load latency)
loop:
    ld a0, 0(a0)
    addi a2, a2, -1
    bnez a2, loop
