# dependent chain of 4 integer adds (ALU latency)
loop:
    add 3, 3, 4
    add 3, 3, 4
    add 3, 3, 4
    add 3, 3, 4
    bdnz loop
