# memclr doubleword loop, runtime_asm/ppc64x/runtime.s (memclr, label 4)
loop:
    std 5, 0(3)
    addi 3, 3, 8
    bdnz loop
