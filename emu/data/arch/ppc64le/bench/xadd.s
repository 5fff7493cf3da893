# bench: 1000000 lwarx/stwcx. increments of one counter
    .abiversion 2
    .globl _start
    .text
_start:
    lis 3, counter@ha
    addi 3, 3, counter@l
    lis 8, 15
    ori 8, 8, 16960
    mtctr 8
again:
    lwarx 5, 0, 3
    addi 5, 5, 1
    stwcx. 5, 0, 3
    bne again
    bdnz again
done:
    li 3, 0
    li 0, 1
    sc
    .section .bss
counter: .space 8
