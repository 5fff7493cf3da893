// reduction, unrolled 2x with two accumulators
loop:
    ldr x3, [x1]
    add x0, x0, x3
    ldr x4, [x1, #8]
    add x5, x5, x4
    add x1, x1, #16
    subs x2, x2, #1
    b.ne loop
