# dependent 64-bit divides (divider latency)
loop:
    divd 3, 3, 4
    bdnz loop
