@ pointer chasing: each load's address is the previous load's result (load latency)
loop:
    ldr r0, [r0]
    subs r2, r2, #1
    bne loop
