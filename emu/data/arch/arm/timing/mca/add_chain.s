@ dependent chain of 4 integer adds (ALU latency)
loop:
    add r0, r0, r1
    add r0, r0, r1
    add r0, r0, r1
    add r0, r0, r1
    subs r2, r2, #1
    bne loop
