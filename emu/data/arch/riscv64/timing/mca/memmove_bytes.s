# memmove forward byte loop, runtime_asm/runtime.s (memmove_fbytes)
loop:
    beqz a2, done
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a1, a1, 1
    addi t0, t0, 1
    addi a2, a2, -1
    j loop
done:
