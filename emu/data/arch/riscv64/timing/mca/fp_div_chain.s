# dependent double divides (FP divider latency)
loop:
    fdiv.d fa0, fa0, fa1
    addi a2, a2, -1
    bnez a2, loop
