// Every directive the front end supports, on arm64. Prints "directives ok".
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
    mov     x0, #\code
    mov     x8, #93
    svc     #0
.endm

    .text
    .globl  _start
    .type   _start, %function
_start:
    adrp    x0, table
    add     x0, x0, :lo12:table
    mov     x1, #TABLE_LEN
    bl      runtime·sum
    cmp     x0, #EXPECTED_SUM
    b.ne    1f
    cmp     x1, #EXPECTED_LEN
    b.ne    1f
    adrp    x3, scratch
    add     x3, x3, :lo12:scratch
    ldr     x2, [x3]            // .bss starts zeroed
    cbnz    x2, 1f
    mov     x2, #7
    str     x2, [x3]            // and is writable
    mov     x0, #1
    adr     x1, ok_msg
    mov     x2, #OK_LEN
    mov     x8, #64
    svc     #0
    EXIT    0
1:  EXIT    1
    .size   _start, . - _start

// runtime·sum(ptr, len) -> sum of the bytes; Go-style name with a middle dot.
    .p2align 4
    .globl  runtime·sum
runtime·sum:
    mov     x2, x0
    mov     x0, #0
    mov     x3, #0
2:  cmp     x3, x1
    b.hs    3f
    ldrb    w4, [x2, x3]
    add     x0, x0, x4
    add     x3, x3, #1
    b       2b
3:  ret
