# copy, unrolled 4x with offsets, pointers bumped once
loop:
    ld t0, 0(a1)
    sd t0, 0(a0)
    ld t1, 8(a1)
    sd t1, 8(a0)
    ld t2, 16(a1)
    sd t2, 16(a0)
    ld t3, 24(a1)
    sd t3, 24(a0)
    addi a1, a1, 32
    addi a0, a0, 32
    addi a2, a2, -1
    bnez a2, loop
