# dependent 64-bit divides (divider latency)
loop:
    div a0, a0, a1
    addi a2, a2, -1
    bnez a2, loop
