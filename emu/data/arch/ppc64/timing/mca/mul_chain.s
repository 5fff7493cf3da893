# dependent chain of 2 multiplies (multiply latency)
loop:
    mulld 3, 3, 4
    mulld 3, 3, 4
    bdnz loop
