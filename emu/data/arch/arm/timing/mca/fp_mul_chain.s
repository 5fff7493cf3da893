@ dependent chain of 2 double multiplies (VFP multiply latency)
loop:
    vmul.f64 d0, d0, d1
    vmul.f64 d0, d0, d1
    subs r2, r2, #1
    bne loop
