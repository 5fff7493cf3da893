// pointer chasing: each load's address is the previous load's result (load latency)
loop:
    ldr x0, [x0]
    subs x2, x2, #1
    b.ne loop
