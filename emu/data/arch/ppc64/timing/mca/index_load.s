# indexed load (ldx), the index bumped each iteration
loop:
    ldx 5, 4, 7
    add 3, 3, 5
    addi 7, 7, 8
    bdnz loop
