@ dependent chain of 2 multiplies (multiply latency)
loop:
    mul r0, r0, r1
    mul r0, r0, r1
    subs r2, r2, #1
    bne loop
