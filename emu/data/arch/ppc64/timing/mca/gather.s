# indexed gather: an index load feeds the address of the next load
loop:
    lwz 5, 0(4)
    sldi 5, 5, 3
    ldx 5, 6, 5
    add 3, 3, 5
    addi 4, 4, 4
    bdnz loop
