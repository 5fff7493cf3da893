# dependent chain of 2 multiplies (multiply latency)
loop:
    mul a0, a0, a1
    mul a0, a0, a1
    addi a2, a2, -1
    bnez a2, loop
