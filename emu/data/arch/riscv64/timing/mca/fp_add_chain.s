# dependent chain of 2 double adds (FP add latency)
loop:
    fadd.d fa0, fa0, fa1
    fadd.d fa0, fa0, fa1
    addi a2, a2, -1
    bnez a2, loop
