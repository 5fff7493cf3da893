// dependent chain of 2 double multiplies (FP multiply latency)
loop:
    fmul d0, d0, d1
    fmul d0, d0, d1
    subs x2, x2, #1
    b.ne loop
