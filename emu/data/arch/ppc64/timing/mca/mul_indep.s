# 4 independent multiplies (multiply throughput)
loop:
    mulld 5, 4, 4
    mulld 6, 4, 4
    mulld 7, 4, 4
    mulld 8, 4, 4
    bdnz loop
