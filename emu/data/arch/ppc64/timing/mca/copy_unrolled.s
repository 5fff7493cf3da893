# copy, unrolled 4x with offsets, pointers bumped once
loop:
    ld 8, 0(4)
    std 8, 0(6)
    ld 9, 8(4)
    std 9, 8(6)
    ld 10, 16(4)
    std 10, 16(6)
    ld 11, 24(4)
    std 11, 24(6)
    addi 4, 4, 32
    addi 6, 6, 32
    bdnz loop
