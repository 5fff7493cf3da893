# pointer chasing: each load's address is the previous load's result (load latency)
loop:
    ld 3, 0(3)
    bdnz loop
