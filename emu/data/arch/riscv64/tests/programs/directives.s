# Every directive the front end supports, on riscv64. Prints "directives ok".
    .set    EXPECTED_SUM, 389
    .equ    EXPECTED_LEN, 33
    .data
    .globl  table
table:
    .byte   1, 2, 3
    .balign 4
    .short  0x0102
    .p2align 2
    .long   0x01010101
    .balign 8
    .quad   0x0101010101010101
    .zero   3
    .space  2, 0x55
    .ascii  "AB"
    .asciz  "C"
table_end:
    .equ    TABLE_LEN, table_end - table

    .section .rodata
ok_msg:
    .ascii  "directives ok\n"
    .equ    OK_LEN, . - ok_msg  # no addend: binutils 2.40 drops the `- 1` of `. - ok_msg - 1` here
    .byte   0
ok_len:    .dword OK_LEN

    .bss
    .align  3
scratch:
    .zero   64
    .data
    .balign 8
# GNU as for RISC-V reads `li` operands before alignment frags are laid out, so the
# label differences are read from memory instead of as immediates.
table_len: .dword TABLE_LEN

.macro EXIT code
    li      a0, \code
    li      a7, 93
    ecall
.endm

    .text
    .globl  _start
    .type   _start, %function
_start:
    la      a0, table
    la      a1, table_len
    ld      a1, 0(a1)
    call    runtime·sum
    li      t0, EXPECTED_SUM
    bne     a0, t0, 1f
    li      t0, EXPECTED_LEN
    bne     a1, t0, 1f
    la      a3, scratch
    ld      a2, 0(a3)           # .bss starts zeroed
    bnez    a2, 1f
    li      a2, 7
    sd      a2, 0(a3)           # and is writable
    li      a0, 1
    la      a1, ok_msg
    la      a2, ok_len
    ld      a2, 0(a2)
    li      a7, 64
    ecall
    EXIT    0
1:  EXIT    1
    .size   _start, . - _start

# runtime·sum(ptr, len) -> sum of the bytes; Go-style name with a middle dot.
    .p2align 4
    .globl  runtime·sum
runtime·sum:
    mv      a2, a0
    li      a0, 0
    li      a3, 0
2:  bgeu    a3, a1, 3f
    add     t1, a2, a3
    lbu     a4, 0(t1)
    add     a0, a0, a4
    addi    a3, a3, 1
    j       2b
3:  ret
