# dependent double divides (FP divider latency)
loop:
    fdiv 1, 1, 2
    bdnz loop
