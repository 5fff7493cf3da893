@ 4 independent double adds (VFP add throughput)
loop:
    vadd.f64 d0, d0, d7
    vadd.f64 d1, d1, d7
    vadd.f64 d2, d2, d7
    vadd.f64 d3, d3, d7
    subs r2, r2, #1
    bne loop
