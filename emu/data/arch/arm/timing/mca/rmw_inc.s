@ load, increment, store back to one memory word
loop:
    ldr r3, [r0]
    add r3, r3, #1
    str r3, [r0]
    subs r2, r2, #1
    bne loop
