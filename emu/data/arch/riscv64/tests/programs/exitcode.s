# exit_group(42) after a write to stderr: the status (and nothing on stdout) is what qemu gives.
    .section .rodata
msg:    .ascii "to stderr\n"
    .globl _start
    .text
_start:
    li      a0, 2
    la      a1, msg
    li      a2, 10
    li      a7, 64              # write
    ecall
    li      a0, 42
    li      a7, 94              # exit_group
    ecall
