# copy: load -> store, pointers bumped
loop:
    ld t0, 0(a1)
    sd t0, 0(a0)
    addi a1, a1, 8
    addi a0, a0, 8
    addi a2, a2, -1
    bnez a2, loop
