# Every directive the front end supports, on ppc64 and ppc64le (one source for both
# byte orders, like the runtime stubs). Prints "directives ok".
    .abiversion 2
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
    .asciz  "directives ok\n"
    .equ    OK_LEN, . - ok_msg - 1

    .bss
    .align  3
scratch:
    .zero   64

.macro EXIT code
    li      3, \code
    li      0, 1
    sc
.endm

# Load a full 64-bit address with @highest/@higher/@h/@l.
.macro LOADADDR reg, sym
    lis     \reg, \sym@highest
    ori     \reg, \reg, \sym@higher
    sldi    \reg, \reg, 32
    oris    \reg, \reg, \sym@h
    ori     \reg, \reg, \sym@l
.endm

    .text
    .globl  _start
    .type   _start, @function
_start:
    LOADADDR 3, table
    li      4, TABLE_LEN
    bl      runtime·sum
    cmpdi   3, EXPECTED_SUM
    bne     1f
    cmpdi   4, EXPECTED_LEN
    bne     1f
    lis     5, scratch@ha
    addi    5, 5, scratch@l
    ld      6, 0(5)             # .bss starts zeroed
    cmpdi   6, 0
    bne     1f
    li      6, 7
    std     6, 0(5)             # and is writable
    li      3, 1
    LOADADDR 4, ok_msg
    li      5, OK_LEN
    li      0, 4
    sc
    EXIT    0
1:  EXIT    1
    .size   _start, . - _start

# runtime·sum(ptr, len) -> sum of the bytes; Go-style name with a middle dot.
    .p2align 4
    .globl  runtime·sum
runtime·sum:
    mr      5, 3
    li      3, 0
    li      6, 0
2:  cmpd    6, 4
    bge     3f
    lbzx    7, 5, 6
    add     3, 3, 7
    addi    6, 6, 1
    b       2b
3:  blr
