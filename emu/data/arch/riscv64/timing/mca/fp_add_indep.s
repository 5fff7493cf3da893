# 4 independent double adds (FP add throughput)
loop:
    fadd.d fa0, fa0, fa7
    fadd.d fa1, fa1, fa7
    fadd.d fa2, fa2, fa7
    fadd.d fa3, fa3, fa7
    addi a2, a2, -1
    bnez a2, loop
