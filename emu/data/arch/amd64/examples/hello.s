# Hello world for amd64: write(1, msg, len); exit(0).
# Intel syntax (GNU's `.intel_syntax noprefix`); constants are defined before
# use, as GNU as requires in Intel syntax.
    .section .rodata
msg:
    .ascii  "Hello from amd64!\n"
    .equ    msg_len, . - msg

    .globl _start
    .text
_start:
    mov     eax, 1              # write
    mov     edi, 1              # stdout
    lea     rsi, [rip + msg]
    mov     edx, msg_len
    syscall
    mov     eax, 60             # exit
    xor     edi, edi
    syscall
