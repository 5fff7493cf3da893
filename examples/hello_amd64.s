# Hello world for amd64: write(1, msg, len); exit(0).
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

    .section .rodata
msg:
    .ascii  "Hello from amd64!\n"
    .equ    msg_len, . - msg
