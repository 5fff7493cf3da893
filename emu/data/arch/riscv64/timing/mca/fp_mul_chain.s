# dependent chain of 2 double multiplies (FP multiply latency)
loop:
    fmul.d fa0, fa0, fa1
    fmul.d fa0, fa0, fa1
    addi a2, a2, -1
    bnez a2, loop
