// dependent chain of 2 double adds (FP add latency)
loop:
    fadd d0, d0, d1
    fadd d0, d0, d1
    subs x2, x2, #1
    b.ne loop
