# Every directive the front end supports, on amd64. Prints "directives ok".
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
    .align  8
scratch:
    .zero   64

.macro EXIT code
    mov     eax, 60
    mov     edi, \code
    syscall
.endm

    .text
    .globl  _start
    .type   _start, @function
_start:
    lea     rdi, [rip + table]
    mov     esi, TABLE_LEN
    call    runtime·sum
    cmp     rax, EXPECTED_SUM
    jne     1f
    cmp     esi, EXPECTED_LEN
    jne     1f
    mov     rax, qword ptr [rip + scratch]   # .bss starts zeroed
    test    rax, rax
    jne     1f
    mov     qword ptr [rip + scratch], 7     # and is writable
    .att_syntax
    movl    $1, %eax
    movl    $1, %edi
    leaq    ok_msg(%rip), %rsi
    movl    $14, %edx
    syscall
    .intel_syntax noprefix
    EXIT    0
1:  EXIT    1
    .size   _start, . - _start

# runtime·sum(ptr, len) -> sum of the bytes; Go-style name with a middle dot.
    .p2align 4
    .globl  runtime·sum
runtime·sum:
    xor     eax, eax
    xor     ecx, ecx
2:  cmp     rcx, rsi
    jae     3f
    movzx   edx, byte ptr [rdi + rcx]
    add     rax, rdx
    inc     rcx
    jmp     2b
3:  ret
