// memmove backward doubleword loop, runtime_asm/runtime.s (memmove_back, label 2): pre-indexed with write-back
loop:
    cmp x2, #8
    b.lo done
    ldr x4, [x1, #-8]!
    str x4, [x3, #-8]!
    sub x2, x2, #8
    b loop
done:
