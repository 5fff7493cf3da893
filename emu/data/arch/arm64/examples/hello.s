// Hello world for AArch64 (ARMv8-A): write(1, msg, len); exit(0).
    .globl _start
    .text
_start:
    mov     x0, #1              // stdout
    adr     x1, msg
    mov     x2, #msg_len
    mov     x8, #64             // write
    svc     #0
    mov     x0, #0
    mov     x8, #93             // exit
    svc     #0

    .section .rodata
msg:
    .ascii  "Hello from arm64!\n"
    .equ    msg_len, . - msg
