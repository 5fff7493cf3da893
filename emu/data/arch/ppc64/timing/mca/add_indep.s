# 8 independent integer adds (ALU throughput)
loop:
    add 3, 3, 4
    add 5, 5, 4
    add 6, 6, 4
    add 7, 7, 4
    add 8, 8, 4
    add 9, 9, 4
    add 10, 10, 4
    add 11, 11, 4
    bdnz loop
