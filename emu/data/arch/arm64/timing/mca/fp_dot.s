// dot product: two FP loads (post-indexed), multiply, accumulating add
loop:
    ldr d1, [x1], #8
    ldr d2, [x3], #8
    fmul d1, d1, d2
    fadd d0, d0, d1
    subs x2, x2, #1
    b.ne loop
