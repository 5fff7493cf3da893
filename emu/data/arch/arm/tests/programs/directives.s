@ Every directive the front end supports, on arm. Prints "directives ok".
    .syntax unified
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
    mov     r0, #\code
    mov     r7, #1
    svc     #0
.endm

    .text
    .globl  _start
    .type   _start, %function
_start:
    ldr     r0, =table
    mov     r1, #TABLE_LEN
    bl      runtime·sum
    ldr     r2, =EXPECTED_SUM
    cmp     r0, r2
    bne     1f
    cmp     r1, #EXPECTED_LEN
    bne     1f
    ldr     r3, =scratch
    ldr     r2, [r3]            @ .bss starts zeroed
    cmp     r2, #0
    bne     1f
    mov     r2, #7
    str     r2, [r3]            @ and is writable
    mov     r0, #1
    ldr     r1, =ok_msg
    mov     r2, #OK_LEN
    mov     r7, #4
    svc     #0
    EXIT    0
1:  EXIT    1
    .size   _start, . - _start
    .ltorg

@ runtime·sum(ptr, len) -> sum of the bytes; Go-style name with a middle dot.
    .p2align 4
    .globl  runtime·sum
runtime·sum:
    mov     r2, r0
    mov     r0, #0
    mov     r3, #0
2:  cmp     r3, r1
    bhs     3f
    ldrb    r12, [r2, r3]
    add     r0, r0, r12
    add     r3, r3, #1
    b       2b
3:  bx      lr
