# dot product: two FP loads and a fused multiply-add into the accumulator
loop:
    lfd 1, 0(4)
    lfd 2, 0(5)
    fmadd 0, 1, 2, 0
    addi 4, 4, 8
    addi 5, 5, 8
    bdnz loop
