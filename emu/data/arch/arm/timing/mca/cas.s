@ cas LL/SC retry loop, runtime_asm/arm/runtime.s (cas, label 1)
loop:
    ldrex r3, [r0]
    cmp r3, r1
    bne fail
    strex r12, r2, [r0]
    cmp r12, #0
    bne loop
fail:
