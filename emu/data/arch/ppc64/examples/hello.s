# Hello world for ppc64: write(1, msg, len); exit(0).
# ELFv2 (.abiversion 2) so GNU ld's static binary starts at _start directly.
    .abiversion 2
    .globl _start
    .text
_start:
    li      3, 1                # stdout
    lis     4, msg@ha
    addi    4, 4, msg@l
    li      5, msg_len
    li      0, 4                # write
    sc
    li      3, 0
    li      0, 1                # exit
    sc

    .section .rodata
msg:
    .ascii  "Hello from ppc64!\n"
    .equ    msg_len, . - msg
