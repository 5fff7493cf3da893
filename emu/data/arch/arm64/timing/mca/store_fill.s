// fill: one post-indexed store per iteration (store throughput)
loop:
    str x3, [x0], #8
    subs x2, x2, #1
    b.ne loop
