@ indexed gather: an index load feeds the address of the next load
loop:
    ldr r3, [r1], #4
    ldr r3, [r4, r3, lsl #2]
    add r0, r0, r3
    subs r2, r2, #1
    bne loop
