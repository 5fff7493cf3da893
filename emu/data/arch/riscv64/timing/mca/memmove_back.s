# memmove backward doubleword loop, runtime_asm/runtime.s (memmove_back, label 2; t3 = 8)
loop:
    bltu a2, t3, done
    addi a1, a1, -8
    addi t0, t0, -8
    ld t1, 0(a1)
    sd t1, 0(t0)
    addi a2, a2, -8
    j loop
done:
