# 4 independent multiplies (multiply throughput)
loop:
    mul a3, a1, a1
    mul a4, a1, a1
    mul a5, a1, a1
    mul a6, a1, a1
    addi a2, a2, -1
    bnez a2, loop
