# a forward branch inside the loop body (two blocks): sum of the non-zero elements
loop:
    ld 5, 0(4)
    cmpdi 5, 0
    beq skip
    add 3, 3, 5
skip:
    addi 4, 4, 8
    bdnz loop
