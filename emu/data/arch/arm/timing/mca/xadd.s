@ xadd LL/SC loop, runtime_asm/arm/runtime.s (xadd, label 1)
loop:
    ldrex r2, [r0]
    add r2, r2, r1
    strex r3, r2, [r0]
    cmp r3, #0
    bne loop
