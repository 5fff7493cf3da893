@ scaled-index load, the counter as the index
loop:
    ldr r3, [r1, r2, lsl #2]
    add r0, r0, r3
    subs r2, r2, #1
    bne loop
