// memmove forward byte loop, runtime_asm/runtime.s (memmove_fbytes)
loop:
    cbz x2, done
    ldrb w4, [x1], #1
    strb w4, [x3], #1
    sub x2, x2, #1
    b loop
done:
