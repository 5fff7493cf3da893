# memmove forward doubleword loop, runtime_asm/runtime.s (memmove_fwd, label 2; t3 = 8)
loop:
    bltu a2, t3, done
    ld t1, 0(a1)
    sd t1, 0(t0)
    addi a1, a1, 8
    addi t0, t0, 8
    addi a2, a2, -8
    j loop
done:
