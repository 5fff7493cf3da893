# max reduction with isel on a compare
loop:
    ld 5, 0(4)
    cmpd 3, 5
    isel 3, 5, 3, 0
    addi 4, 4, 8
    bdnz loop
