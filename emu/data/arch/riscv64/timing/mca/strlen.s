# byte scan: load, branch on the loaded value
loop:
    lbu t0, 0(a0)
    addi a0, a0, 1
    bnez t0, loop
