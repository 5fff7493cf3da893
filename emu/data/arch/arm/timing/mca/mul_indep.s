@ 4 independent multiplies (multiply throughput)
loop:
    mul r3, r1, r1
    mul r4, r1, r1
    mul r5, r1, r1
    mul r6, r1, r1
    subs r2, r2, #1
    bne loop
