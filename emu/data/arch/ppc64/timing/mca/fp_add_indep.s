# 4 independent double adds (FP add throughput)
loop:
    fadd 1, 1, 8
    fadd 2, 2, 8
    fadd 3, 3, 8
    fadd 4, 4, 8
    bdnz loop
