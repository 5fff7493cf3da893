@ fill: one post-indexed store per iteration (store throughput)
loop:
    str r3, [r0], #4
    subs r2, r2, #1
    bne loop
