@ max reduction with a conditional move
loop:
    ldr r3, [r1], #4
    cmp r0, r3
    movlt r0, r3
    subs r2, r2, #1
    bne loop
