# Hello world for RISC-V (RV64GC): write(1, msg, len); exit(0).
    .section .rodata
msg:
    .ascii  "Hello from riscv64!\n"
msg_end:                        # the length is msg_end - msg, computed below: GNU as's li takes no difference of
                                # labels, and llvm-mc 19 crashes on `li` of a `.equ len, . - msg` (14 rejects it)

    .globl _start
    .text
_start:
    li      a0, 1               # stdout
    la      a1, msg
    la      a2, msg_end
    sub     a2, a2, a1          # len
    li      a7, 64              # write
    ecall
    li      a0, 0
    li      a7, 93              # exit
    ecall
