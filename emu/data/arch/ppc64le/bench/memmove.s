# bench: copy 1 MiB with a doubleword load/store loop, 16 times
    .abiversion 2
    .globl _start
    .text
_start:
    li 30, 16
outer:
    lis 4, src@ha
    addi 4, 4, src@l
    lis 6, dst@ha
    addi 6, 6, dst@l
    lis 8, 2
    mtctr 8
copy:
    ld 9, 0(4)
    std 9, 0(6)
    addi 4, 4, 8
    addi 6, 6, 8
    bdnz copy
    addi 30, 30, -1
    cmpdi 30, 0
    bne outer
done:
    li 3, 0
    li 0, 1
    sc
    .section .bss
src: .space 1048576
dst: .space 1048576
