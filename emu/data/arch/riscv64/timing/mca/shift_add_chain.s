# dependent shift and add (no shifted operands in RV64GC)
loop:
    slli a0, a0, 2
    add a0, a1, a0
    slli a0, a0, 2
    add a0, a1, a0
    addi a2, a2, -1
    bnez a2, loop
