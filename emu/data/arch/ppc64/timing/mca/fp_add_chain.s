# dependent chain of 2 double adds (FP add latency)
loop:
    fadd 1, 1, 2
    fadd 1, 1, 2
    bdnz loop
