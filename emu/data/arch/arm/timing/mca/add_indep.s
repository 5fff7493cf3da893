@ 6 independent integer adds (ALU throughput)
loop:
    add r0, r0, r1
    add r3, r3, r1
    add r4, r4, r1
    add r5, r5, r1
    add r6, r6, r1
    add r7, r7, r1
    subs r2, r2, #1
    bne loop
