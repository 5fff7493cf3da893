# a frame push/pop: stdu writes r1 back from its address uop, the restore reads it
loop:
    stdu 1, -32(1)
    std 31, 8(1)
    ld 31, 8(1)
    addi 1, 1, 32
    bdnz loop
