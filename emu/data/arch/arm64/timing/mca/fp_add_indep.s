// 4 independent double adds (FP add throughput)
loop:
    fadd d0, d0, d7
    fadd d1, d1, d7
    fadd d2, d2, d7
    fadd d3, d3, d7
    subs x2, x2, #1
    b.ne loop
