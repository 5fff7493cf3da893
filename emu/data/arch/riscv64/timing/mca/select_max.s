# max reduction with a branch (RV64GC has no conditional move): two blocks
loop:
    ld t0, 0(a1)
    addi a1, a1, 8
    bge a0, t0, keep
    mv a0, t0
keep:
    addi a2, a2, -1
    bnez a2, loop
