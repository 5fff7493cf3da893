# reduction: load and add, one accumulator
loop:
    ld 5, 0(4)
    add 3, 3, 5
    addi 4, 4, 8
    bdnz loop
