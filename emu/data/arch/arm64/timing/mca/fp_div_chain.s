// dependent double divides (FP divider latency)
loop:
    fdiv d0, d0, d1
    subs x2, x2, #1
    b.ne loop
