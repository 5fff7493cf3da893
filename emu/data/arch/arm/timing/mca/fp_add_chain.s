@ dependent chain of 2 double adds (VFP add latency)
loop:
    vadd.f64 d0, d0, d1
    vadd.f64 d0, d0, d1
    subs r2, r2, #1
    bne loop
