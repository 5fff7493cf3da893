@ memmove forward word loop, runtime_asm/arm/runtime.s (memmove_fwd, label 2)
loop:
    cmp r2, #4
    blo done
    ldr r12, [r1], #4
    str r12, [r3], #4
    sub r2, r2, #4
    b loop
done:
