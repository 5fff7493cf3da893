# cas LL/SC retry loop, runtime_asm/ppc64x/runtime.s (cas, label 1)
loop:
    lwarx 6, 0, 3
    cmpw 6, 4
    bne fail
    stwcx. 5, 0, 3
    bne loop
fail:
