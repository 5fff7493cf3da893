@ dot product: two VFP loads, multiply, accumulating add
loop:
    vldr d1, [r1]
    vldr d2, [r3]
    vmul.f64 d1, d1, d2
    vadd.f64 d0, d0, d1
    add r1, r1, #8
    add r3, r3, #8
    subs r2, r2, #1
    bne loop
