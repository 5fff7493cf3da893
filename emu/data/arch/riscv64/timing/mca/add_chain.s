# dependent chain of 4 integer adds (ALU latency)
loop:
    add a0, a0, a1
    add a0, a0, a1
    add a0, a0, a1
    add a0, a0, a1
    addi a2, a2, -1
    bnez a2, loop
