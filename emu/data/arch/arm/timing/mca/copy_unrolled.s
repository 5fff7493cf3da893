@ copy, unrolled 4x with offsets, pointers bumped once
loop:
    ldr r3, [r1]
    str r3, [r0]
    ldr r4, [r1, #4]
    str r4, [r0, #4]
    ldr r5, [r1, #8]
    str r5, [r0, #8]
    ldr r6, [r1, #12]
    str r6, [r0, #12]
    add r1, r1, #16
    add r0, r0, #16
    subs r2, r2, #1
    bne loop
