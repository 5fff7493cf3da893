# xadd LL/SC loop, runtime_asm/ppc64x/runtime.s (xadd, label 1)
loop:
    lwarx 5, 0, 3
    add 5, 5, 4
    stwcx. 5, 0, 3
    bne loop
