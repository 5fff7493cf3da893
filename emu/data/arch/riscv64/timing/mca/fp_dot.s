# dot product: two FP loads, multiply, accumulating add
loop:
    fld fa1, 0(a1)
    fld fa2, 0(a3)
    fmul.d fa1, fa1, fa2
    fadd.d fa0, fa0, fa1
    addi a1, a1, 8
    addi a3, a3, 8
    addi a2, a2, -1
    bnez a2, loop
