@ reduction, unrolled 2x with two accumulators
loop:
    ldr r3, [r1]
    add r0, r0, r3
    ldr r4, [r1, #4]
    add r5, r5, r4
    add r1, r1, #8
    subs r2, r2, #1
    bne loop
