@ copy: post-indexed load -> store
loop:
    ldr r3, [r1], #4
    str r3, [r0], #4
    subs r2, r2, #1
    bne loop
