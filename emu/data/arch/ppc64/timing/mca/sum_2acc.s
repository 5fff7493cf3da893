# reduction, unrolled 2x with two accumulators
loop:
    ld 5, 0(4)
    add 3, 3, 5
    ld 6, 8(4)
    add 7, 7, 6
    addi 4, 4, 16
    bdnz loop
