# Hello world for RISC-V (RV64GC): write(1, msg, len); exit(0).
    .section .rodata
msg:
    .ascii  "Hello from riscv64!\n"
    .equ    msg_len, . - msg

    .globl _start
    .text
_start:
    li      a0, 1               # stdout
    la      a1, msg
    li      a2, msg_len
    li      a7, 64              # write
    ecall
    li      a0, 0
    li      a7, 93              # exit
    ecall
