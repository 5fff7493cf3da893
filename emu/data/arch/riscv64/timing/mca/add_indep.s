# 6 independent integer adds (ALU throughput)
loop:
    add a0, a0, a1
    add a3, a3, a1
    add a4, a4, a1
    add a5, a5, a1
    add a6, a6, a1
    add a7, a7, a1
    addi a2, a2, -1
    bnez a2, loop
