@ memclr word loop, runtime_asm/arm/runtime.s (memclr, label 2)
loop:
    cmp r1, #4
    blo done
    str r2, [r0], #4
    sub r1, r1, #4
    b loop
done:
