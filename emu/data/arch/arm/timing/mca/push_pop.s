@ push two values, pop them into other registers (no value carried through memory): push/pop write sp back from the address unit, not with the load latency
loop:
    push {r4, r5}
    pop {r6, r7}
    subs r2, r2, #1
    bne loop
