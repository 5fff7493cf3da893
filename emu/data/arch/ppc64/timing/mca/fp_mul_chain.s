# dependent chain of 2 double multiplies (FP multiply latency)
loop:
    fmul 1, 1, 2
    fmul 1, 1, 2
    bdnz loop
