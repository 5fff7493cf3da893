# A load-reserved from an address that is not 8-aligned: a misaligned-address exception, which
# Linux (and qemu-riscv64) deliver as SIGBUS: exit status 135, nothing on stdout.
    .globl _start
    .text
_start:
    la      a0, m
    addi    a0, a0, 4
    lr.d    a1, (a0)
    li      a0, 0
    li      a7, 93
    ecall

    .data
    .balign 16
m:
    .zero   16
