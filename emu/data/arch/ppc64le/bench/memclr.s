# bench: clear 1 MiB with a doubleword store loop, 16 times
    .abiversion 2
    .globl _start
    .text
_start:
    li 30, 16
    li 5, 0
outer:
    lis 6, dst@ha
    addi 6, 6, dst@l
    lis 8, 2
    mtctr 8
clear:
    std 5, 0(6)
    addi 6, 6, 8
    bdnz clear
    addi 30, 30, -1
    cmpdi 30, 0
    bne outer
done:
    li 3, 0
    li 0, 1
    sc
    .section .bss
dst: .space 1048576
