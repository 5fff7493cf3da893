@ dependent double divides (VFP divider latency)
loop:
    vdiv.f64 d0, d0, d1
    subs r2, r2, #1
    bne loop
