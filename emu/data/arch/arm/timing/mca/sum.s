@ reduction: post-indexed load and add, one accumulator
loop:
    ldr r3, [r1], #4
    add r0, r0, r3
    subs r2, r2, #1
    bne loop
