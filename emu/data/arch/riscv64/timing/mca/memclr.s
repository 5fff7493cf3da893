# memclr doubleword loop, runtime_asm/runtime.s (memclr, label 3; t1 = 8)
loop:
    bltu a1, t1, done
    sd zero, 0(a0)
    addi a0, a0, 8
    addi a1, a1, -8
    j loop
done:
