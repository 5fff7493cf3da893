# load, increment, store back to one memory word
loop:
    ld 5, 0(3)
    addi 5, 5, 1
    std 5, 0(3)
    bdnz loop
