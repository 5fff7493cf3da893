@ block copy with ldm/stm (4 words per iteration)
loop:
    ldm r1!, {r3, r4, r5, r6}
    stm r0!, {r3, r4, r5, r6}
    subs r2, r2, #1
    bne loop
