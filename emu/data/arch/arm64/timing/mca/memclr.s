// memclr doubleword loop, runtime_asm/runtime.s (memclr, label 2)
loop:
    cmp x1, #8
    b.lo done
    str xzr, [x0], #8
    sub x1, x1, #8
    b loop
done:
